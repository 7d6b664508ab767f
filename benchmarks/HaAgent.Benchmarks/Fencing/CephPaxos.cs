namespace HaAgent.Benchmarks.Fencing;

/// <summary>Mon paxos batching of the benchmark cluster; the value name is what the Paxos column shows.</summary>
public enum CephPaxos
{
    /// <summary>propose interval and min wait 10 ms: the test fixture's setting.</summary>
    Fast10ms,

    /// <summary>Ceph's default 1 s propose interval, what production mons run.</summary>
    Default1s,
}
