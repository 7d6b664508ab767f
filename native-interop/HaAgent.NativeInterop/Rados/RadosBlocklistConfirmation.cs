namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// Proof of a fence: the osdmap epoch <see cref="OsdMapEpoch"/> contains the entry for <see cref="Address"/>, and the
/// fencing client held that epoch (or a newer one) when the call returned. An OSD refuses the fenced client's I/O as
/// soon as it holds this epoch, and any op carrying this epoch forces it to.
/// </summary>
public sealed record RadosBlocklistConfirmation(RadosClientAddress Address, uint OsdMapEpoch, DateTimeOffset Until);
