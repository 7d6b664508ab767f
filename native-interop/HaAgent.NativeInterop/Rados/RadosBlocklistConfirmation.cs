namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// What a blocklist add proves: osdmap epoch <see cref="OsdMapEpoch"/> contains the entry for <see cref="Address"/>,
/// and the fencing client held that epoch (or a newer one) when the call returned — the same point librbd reaches
/// before it breaks a lock. It does not prove every OSD applies the epoch yet: OSDs pick it up asynchronously, and
/// measured on a 1-OSD cluster a fenced client's write was still acknowledged in ~1 of 40 fences a few ms later.
/// A new owner should itself wait for the latest osdmap before its first write.
/// </summary>
public sealed record RadosBlocklistConfirmation(RadosClientAddress Address, uint OsdMapEpoch, DateTimeOffset Until);
