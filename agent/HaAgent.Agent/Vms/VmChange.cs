namespace HaAgent.Agent.Vms;

/// <summary>
/// A VM's status changed. <see cref="InputTimestamp"/> is when the watcher received what revealed it (a Stopwatch
/// timestamp; for a pidfd, when poll() returned), <see cref="PublishedTimestamp"/> when the change was queued.
/// </summary>
internal sealed record VmChange(
    string Name,
    Guid Uuid,
    VmStatus Previous,
    VmStatus Current,
    VmChangeSource Source,
    string Reason,
    int? QemuPid,
    DateTimeOffset At,
    long InputTimestamp,
    long PublishedTimestamp);
