namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// One line of "osd blocklist ls": either a client address entry (<see cref="Address"/> set) or a CIDR range entry
/// (<see cref="IsRange"/>, e.g. "127.1.0.0:0/24"). <see cref="Target"/> is the text the mon printed.
/// </summary>
public sealed record RadosBlocklistEntry(string Target, RadosClientAddress? Address, bool IsRange, DateTimeOffset Until);
