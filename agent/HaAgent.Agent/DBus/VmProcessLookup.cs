namespace HaAgent.Agent.DBus;

/// <summary>
/// What systemd-machined says about a VM: its QEMU leader PID and the scope unit (cgroup) it runs in.
/// <see cref="Reason"/> says why when the status is not <see cref="VmProcessLookupStatus.Found"/>.
/// </summary>
internal sealed record VmProcessLookup(
    VmProcessLookupStatus Status,
    string? MachineName,
    int LeaderPid,
    string? Scope,
    string? Class,
    string? Service,
    string? Reason)
{
    public static VmProcessLookup Found(string machineName, int leaderPid, string? scope, string? @class, string? service) =>
        new(VmProcessLookupStatus.Found, machineName, leaderPid, scope, @class, service, null);

    public static VmProcessLookup NotFound(string vmName) =>
        new(VmProcessLookupStatus.NotFound, null, 0, null, null, null, $"machined has no machine for {vmName}");

    public static VmProcessLookup Unavailable(string reason) =>
        new(VmProcessLookupStatus.Unavailable, null, 0, null, null, null, reason);
}
