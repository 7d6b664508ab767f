namespace HaAgent.NativeInterop.Rados;

/// <summary>Size and last modification time (second resolution) of a RADOS object.</summary>
public readonly record struct RadosObjectStat(ulong Size, DateTimeOffset ModifiedTime);
