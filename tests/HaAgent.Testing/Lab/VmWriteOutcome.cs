namespace HaAgent.Testing.Lab;

/// <summary>What QEMU said about one qemu-io write (its block layer prints it to the domain log).</summary>
public enum VmWriteOutcome
{
    /// <summary>"wrote 4096/4096 bytes": the storage acknowledged the write.</summary>
    Acknowledged,

    /// <summary>"write failed: ..." (a fenced client sees ESHUTDOWN, -108).</summary>
    Failed,

    /// <summary>No answer within the bound: libvirtd or QEMU frozen, dead, or cut off.</summary>
    NoAnswer,
}
