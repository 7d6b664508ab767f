namespace HaAgent.Agent.Restart;

/// <summary>One step of a start or stop as it happened: how long it took and libvirt's or the kernel's own words.</summary>
internal sealed record VmStep(string Name, TimeSpan Elapsed, bool Succeeded, string? Detail)
{
    public override string ToString() => $"{Name} {(Succeeded ? "ok" : "FAILED")} {Elapsed.TotalMilliseconds:F1} ms{(Detail is null ? "" : ": " + Detail)}";
}
