namespace HaAgent.NativeInterop.Iscsi;

/// <summary>READ KEYS: the registered reservation keys and the PR generation (bumped by every successful PR OUT but RESERVE/RELEASE).</summary>
public sealed record PersistentReservationKeys(uint Generation, IReadOnlyList<ulong> Keys);
