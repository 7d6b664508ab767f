using HaAgent.Agent.Restart;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.SelfFence;

/// <summary>
/// Kills this host's HA-managed VMs: virDomainDestroy for each, and a SIGKILL through QEMU's pidfd if it is not gone
/// within the grace (a SIGSTOPped QEMU makes libvirt wait ~10 s between its own SIGTERM and SIGKILL; a hung libvirtd
/// never answers). The outcome is written to the state file before it is returned, so it survives a crash and is
/// reported when the coordinator is back.
/// </summary>
internal sealed partial class SelfFencer
{
    private readonly VmWatcher _watcher;
    private readonly AgentStateStore _state;
    private readonly long _incarnation;
    private readonly TimeSpan _grace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SelfFencer(VmWatcher watcher, AgentStateStore state, long incarnation, TimeSpan grace, TimeProvider time, ILogger<SelfFencer> logger)
    {
        _watcher = watcher;
        _state = state;
        _incarnation = incarnation;
        _grace = grace;
        _time = time;
        _logger = logger;
    }

    /// <summary>Slack on top of the kills' own bound for listing the table and writing the state file (one fsync).</summary>
    private static readonly TimeSpan RecordSlack = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long <see cref="ExecuteAsync"/> may take when it works as designed: the VMs are killed in parallel, each
    /// bounded by <see cref="DomainKiller.Bound"/>, then the record is written. Longer means it is stuck.
    /// </summary>
    public TimeSpan Bound => DomainKiller.Bound(_grace) + RecordSlack;

    public async Task<SelfFenceRecord> ExecuteAsync(string reason, CancellationToken cancellationToken)
    {
        var victims = _watcher.Snapshot().Where(v => v.Status is not (VmStatus.Stopped or VmStatus.Crashed) || v.QemuPid is not null).ToArray();
        LogSelfFenceStarted(reason, victims.Length);
        var outcomes = await Task.WhenAll(victims.Select(v => StopAsync(v, cancellationToken))).ConfigureAwait(false);

        List<string> failed = [.. outcomes.Where(o => !o.Stopped).Select(o => $"{o.Name}: {o.Problem}")];
        if (!_watcher.Ready.IsCompleted)
        {
            // An empty table proves nothing when libvirt was never listed: never call that a clean self-fence.
            failed.Add("VM table unknown: libvirt was never reconciled");
        }
        var record = new SelfFenceRecord(
            _time.GetUtcNow(),
            _incarnation,
            reason,
            [.. outcomes.Where(o => o.Stopped).Select(o => o.Name)],
            [.. outcomes.Where(o => o.Killed).Select(o => o.Name)],
            failed);
        _state.AddSelfFence(record);
        LogSelfFenceDone(record.StoppedVms.Count, record.Killed.Count, string.Join("; ", record.Failed));
        return record;
    }

    private async Task<Outcome> StopAsync(VmEntry vm, CancellationToken cancellationToken)
    {
        _watcher.ExpectStop(vm.Uuid);
        var kill = await DomainKiller.KillAsync(_watcher.Connection, vm.Uuid, vm.QemuPid, _grace, _time, new StepRecorder(), cancellationToken)
            .ConfigureAwait(false);
        return new Outcome(vm.Name, kill.Dead, kill.Killed, kill.Problem);
    }

    private sealed record Outcome(string Name, bool Stopped, bool Killed, string? Problem);

    [LoggerMessage(EventId = AgentEventIds.SelfFenceStarted, Level = LogLevel.Critical, Message = "SELF-FENCE ({Reason}): destroying {Count} HA VM(s)")]
    private partial void LogSelfFenceStarted(string reason, int count);

    [LoggerMessage(EventId = AgentEventIds.SelfFenceDone, Level = LogLevel.Critical, Message = "Self-fence done: {Stopped} stopped, {Killed} needed SIGKILL, failures: [{Failures}]")]
    private partial void LogSelfFenceDone(int stopped, int killed, string failures);
}
