using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Agent.Heartbeat;

/// <summary>Somewhere on shared storage this host's heartbeat is written (a RADOS object, a block of a shared LUN).</summary>
internal interface IHeartbeatStore
{
    string Name { get; }

    /// <summary>The host's Ceph client address to advertise in the record, if this store knows it.</summary>
    string? CephClientAddress { get; }

    /// <summary>Writes the record; throws (typed, from the storage) when the write was not acknowledged.</summary>
    void Write(HeartbeatRecord record);
}
