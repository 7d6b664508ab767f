namespace HaAgent.Protocol.Messages;

/// <summary>One volume a VM uses; <see cref="Kind"/> is <c>rbd</c> or <c>iscsi</c>.</summary>
public sealed record VolumeSpec(string Kind, string Pool, string Name);
