namespace HaAgent.Testing.Lab;

/// <summary>An RBD image read back from the storage side, decoded with <see cref="WritePattern"/>.</summary>
public sealed class ImageReadBack
{
    public ImageReadBack(string image, byte[] contents)
    {
        Image = image;
        var landed = new List<int>();
        var foreign = new List<int>();
        for (var sequence = 1; sequence <= WritePattern.MaxSequence; sequence++)
        {
            var offset = WritePattern.Offset(sequence);
            if (offset + WritePattern.BlockSize > contents.Length)
            {
                break;
            }
            var block = contents.AsSpan((int)offset, WritePattern.BlockSize);
            if (!block.ContainsAnyExcept((byte)0))
            {
                continue;
            }
            if (!block.ContainsAnyExcept(WritePattern.Fill(sequence)))
            {
                landed.Add(sequence);
            }
            else
            {
                foreign.Add(sequence); // torn or foreign data: never expected, reported so a test can fail on it
            }
        }
        Landed = landed;
        Torn = foreign;
        Size = contents.Length;
    }

    public string Image { get; }

    public long Size { get; }

    /// <summary>Sequence numbers whose block holds exactly their pattern.</summary>
    public IReadOnlyList<int> Landed { get; }

    /// <summary>Blocks that are neither empty nor their write's pattern.</summary>
    public IReadOnlyList<int> Torn { get; }

    public override string ToString() =>
        $"{Image}: landed [{string.Join(", ", Landed)}]" + (Torn.Count > 0 ? $", torn [{string.Join(", ", Torn)}]" : "");
}
