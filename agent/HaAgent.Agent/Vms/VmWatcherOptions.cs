namespace HaAgent.Agent.Vms;

internal sealed record VmWatcherOptions(
    string Uri,
    string ManagedDomainPrefix,
    string? QemuPidDirectory,
    TimeSpan OpenTimeout,
    TimeSpan ReconcileInterval,
    TimeSpan ProbeInterval);
