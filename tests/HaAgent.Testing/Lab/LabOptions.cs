namespace HaAgent.Testing.Lab;

/// <summary>How a <see cref="Lab"/> is built.</summary>
public sealed class LabOptions
{
    /// <summary>Number of hypervisor hosts h1..hN (each its own network namespace, cgroup and libvirtd).</summary>
    public int Hosts { get; init; } = 2;

    /// <summary>Mon paxos at 10 ms (fence ~20 ms) instead of production's 1 s (fence ~1 s).</summary>
    public bool FastPaxos { get; init; } = true;

    /// <summary>RBD images created at start, each <see cref="ImageSizeMiB"/> large.</summary>
    public IReadOnlyList<string> Images { get; init; } = ["vm1"];

    public int ImageSizeMiB { get; init; } = 4;

    /// <summary>Bound on the whole bring-up; past it everything started is torn down and the start throws.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Narrative sink (the demo prints it; tests hand it to ITestOutputHelper). Null = silent.</summary>
    public Action<string>? Log { get; init; }
}
