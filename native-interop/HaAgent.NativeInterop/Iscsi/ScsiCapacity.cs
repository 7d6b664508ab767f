namespace HaAgent.NativeInterop.Iscsi;

/// <summary>READ CAPACITY(16): the logical unit has <see cref="BlockCount"/> blocks of <see cref="BlockSize"/> bytes.</summary>
public readonly record struct ScsiCapacity(ulong LastLba, int BlockSize)
{
    public ulong BlockCount => LastLba + 1;

    public ulong Bytes => BlockCount * (ulong)BlockSize;
}
