namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// What a blocklist add proves: osdmap epoch <see cref="OsdMapEpoch"/> contains the entry for <see cref="Address"/>,
/// and the fencing client held that epoch (or a newer one) when the call returned — the point librbd reaches before
/// it breaks a lock. It does NOT yet prove the OSDs enforce it: an OSD learns new maps asynchronously and meanwhile
/// still acknowledges the fenced client (seen in ~5 % of fences on an idle cluster, and for ~0.4 s when the OSD gets
/// maps late). Call <see cref="RadosPool.WaitForOsdMapOnAllPlacementGroups"/> on every pool the fenced client could
/// write before declaring the fence complete.
/// </summary>
public sealed record RadosBlocklistConfirmation(RadosClientAddress Address, uint OsdMapEpoch, DateTimeOffset Until);
