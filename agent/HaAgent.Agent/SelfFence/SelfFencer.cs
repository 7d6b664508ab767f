using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.NativeInterop.Processes;
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
        // Our own pidfd: the watcher closes its handle the moment QEMU exits, which is exactly when we look.
        PidFd? process = null;
        if (vm.QemuPid is { } pid)
        {
            try
            {
                process = PidFd.Open(pid);
            }
            catch (ErrnoException)
            {
                // already gone (and reaped)
            }
        }
        try
        {
            var destroy = Task.Run(() => Destroy(vm), CancellationToken.None);
            var deadline = _time.GetUtcNow() + _grace;
            string? destroyProblem = null;
            while (_time.GetUtcNow() < deadline)
            {
                if (destroy.IsCompleted)
                {
                    destroyProblem = await destroy.ConfigureAwait(false);
                    if (process is null || process.HasExited)
                    {
                        break;
                    }
                }
                else if (process is not null && process.HasExited)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
            }

            var killed = false;
            if (process is not null && !process.HasExited)
            {
                killed = process.Kill();
                var killDeadline = _time.GetUtcNow() + TimeSpan.FromSeconds(5);
                while (!process.HasExited && _time.GetUtcNow() < killDeadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
                }
                if (!process.HasExited)
                {
                    return new Outcome(vm.Name, false, killed, $"QEMU pid {process.Pid} survived SIGKILL");
                }
                return new Outcome(vm.Name, true, killed, null);
            }
            if (process is null)
            {
                // No QEMU known (test driver, or not found): only libvirt can say it is off.
                destroyProblem ??= destroy.IsCompleted ? await destroy.ConfigureAwait(false) : "virDomainDestroy did not return within the grace";
                return new Outcome(vm.Name, destroyProblem is null, false, destroyProblem);
            }
            return new Outcome(vm.Name, true, false, null);
        }
        finally
        {
            process?.Dispose();
        }
    }

    /// <summary>virDomainDestroy through the watcher's connection; null on success or when the domain is already off.</summary>
    private string? Destroy(VmEntry vm)
    {
        var connection = _watcher.Connection;
        if (connection is null)
        {
            return "libvirt not connected";
        }
        try
        {
            using var domain = connection.LookupByUuid(vm.Uuid);
            if (domain.GetState().State != DomainState.ShutOff)
            {
                domain.Destroy();
            }
            return null;
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCode.NoDomain or LibvirtErrorCode.OperationInvalid)
        {
            return null; // gone or not running
        }
        catch (Exception e) when (e is LibvirtException or ObjectDisposedException)
        {
            return e.Message;
        }
    }

    private sealed record Outcome(string Name, bool Stopped, bool Killed, string? Problem);

    [LoggerMessage(EventId = AgentEventIds.SelfFenceStarted, Level = LogLevel.Critical, Message = "SELF-FENCE ({Reason}): destroying {Count} HA VM(s)")]
    private partial void LogSelfFenceStarted(string reason, int count);

    [LoggerMessage(EventId = AgentEventIds.SelfFenceDone, Level = LogLevel.Critical, Message = "Self-fence done: {Stopped} stopped, {Killed} needed SIGKILL, failures: [{Failures}]")]
    private partial void LogSelfFenceDone(int stopped, int killed, string failures);
}
