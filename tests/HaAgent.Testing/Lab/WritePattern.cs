namespace HaAgent.Testing.Lab;

/// <summary>
/// Where and how a numbered VM write lands on the image: write n fills the 4 KiB block n with the byte n. Reading the
/// image back then says exactly which writes reached the storage, whoever issued them.
/// </summary>
public static class WritePattern
{
    public const int BlockSize = 4096;

    /// <summary>Sequence numbers 1..255: one byte per block, block 0 stays untouched.</summary>
    public const int MaxSequence = 255;

    public static long Offset(int sequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        return (long)sequence * BlockSize;
    }

    public static byte Fill(int sequence) => checked((byte)sequence);

    /// <summary>The HMP qemu-io command line of write <paramref name="sequence"/>.</summary>
    public static string QemuIoCommand(int sequence) =>
        $"write -P 0x{Fill(sequence):x2} {Offset(sequence)} {BlockSize}";
}
