namespace HaAgent.Protocol.Envelope;

/// <summary>
/// The secrets a host's frames may be signed with: <see cref="Newest"/> always, <see cref="Previous"/> only during a
/// key rollover (TRANSPORT.md "Secret rotation"). A sender signs with <see cref="Newest"/>; a receiver accepts either.
/// </summary>
public readonly record struct HostSecretPair(ReadOnlyMemory<byte> Newest, ReadOnlyMemory<byte> Previous)
{
    /// <summary>Whether a rollover is in progress (two secrets accepted).</summary>
    public bool HasPrevious => !Previous.IsEmpty;

    // The default ToString would print neither secret (ReadOnlyMemory prints its type and length), but say so explicitly.
    public override string ToString() => HasPrevious ? "HostSecretPair(newest + previous)" : "HostSecretPair(newest)";
}
