using System.Diagnostics;
using HaAgent.NativeInterop;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.NativeInterop.Processes;

namespace HaAgent.Agent.Restart;

/// <summary>
/// Stops one domain for the stop executor, a failed start and the self-fence alike: virDomainDestroy on the pool, our
/// own pidfd on its QEMU, SIGKILL through the pidfd when QEMU is not gone within the grace (libvirt waits ~10 s between
/// its SIGTERM and SIGKILL for a SIGSTOPped QEMU; a hung libvirtd never answers). Proof of death is the pidfd turning
/// readable; with no QEMU known (test driver) only libvirt's shut-off state can say so.
/// </summary>
internal static class DomainKiller
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    /// <summary>The longest <see cref="KillAsync"/> takes: the grace for the destroy, then the wait for QEMU's exit after SIGKILL.</summary>
    public static TimeSpan Bound(TimeSpan grace) => grace + KillWait;

    public static async Task<KillOutcome> KillAsync(
        LibvirtConnection? connection, Guid uuid, int? qemuPid, TimeSpan grace, TimeProvider time, StepRecorder steps, CancellationToken cancellationToken)
    {
        PidFd? process = null;
        if (qemuPid is { } pid)
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
            var started = Stopwatch.GetTimestamp();
            var destroy = Task.Run(() => Destroy(connection, uuid), CancellationToken.None);
            var deadline = time.GetUtcNow() + grace;
            string? destroyProblem = null;
            var destroyDone = false;
            while (time.GetUtcNow() < deadline)
            {
                if (destroy.IsCompleted)
                {
                    destroyProblem = await destroy.ConfigureAwait(false);
                    destroyDone = true;
                    if (process is null || process.HasExited)
                    {
                        break;
                    }
                }
                else if (process is not null && process.HasExited)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken).ConfigureAwait(false);
            }
            if (!destroyDone && process is not null && process.HasExited)
            {
                // QEMU is gone; libvirt returns from the destroy once it has reaped it. Wait for that (within the grace) so
                // the report says what libvirt answered rather than "did not return".
                var left = deadline - time.GetUtcNow();
                try
                {
                    destroyProblem = await destroy.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, cancellationToken).ConfigureAwait(false);
                    destroyDone = true;
                }
                catch (TimeoutException)
                {
                }
            }
            steps.Add("destroy", started, destroyDone ? destroyProblem is null : process?.HasExited == true,
                destroyDone ? destroyProblem
                : process?.HasExited == true ? $"QEMU exited; virDomainDestroy had not returned after {grace.TotalSeconds:F1} s"
                : $"virDomainDestroy did not return within {grace.TotalSeconds:F1} s");

            if (process is not null && !process.HasExited)
            {
                started = Stopwatch.GetTimestamp();
                var sent = process.Kill();
                var killDeadline = time.GetUtcNow() + KillWait;
                while (!process.HasExited && time.GetUtcNow() < killDeadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), time, cancellationToken).ConfigureAwait(false);
                }
                var dead = process.HasExited;
                steps.Add("sigkill via pidfd", started, dead, $"QEMU pid {process.Pid}{(sent ? "" : " (already gone)")}{(dead ? " exited" : " survived SIGKILL")}");
                return new KillOutcome(dead, sent, dead ? null : $"QEMU pid {process.Pid} survived SIGKILL");
            }
            if (process is not null)
            {
                return new KillOutcome(true, false, null);
            }
            // No QEMU known: only libvirt can say it is off.
            if (!destroyDone)
            {
                return new KillOutcome(false, false, $"virDomainDestroy did not return within {grace.TotalSeconds:F1} s and no QEMU process is known");
            }
            return new KillOutcome(destroyProblem is null, false, destroyProblem);
        }
        finally
        {
            process?.Dispose();
        }
    }

    /// <summary>null on success or when the domain is already off or gone.</summary>
    private static string? Destroy(LibvirtConnection? connection, Guid uuid)
    {
        if (connection is null)
        {
            return "libvirt not connected";
        }
        try
        {
            using var domain = connection.LookupByUuid(uuid);
            if (domain.GetState().State != DomainState.ShutOff)
            {
                domain.Destroy();
            }
            return null;
        }
        catch (LibvirtException e) when (e.Code is LibvirtErrorCode.NoDomain or LibvirtErrorCode.OperationInvalid)
        {
            return null;
        }
        catch (Exception e) when (e is LibvirtException or ObjectDisposedException)
        {
            return e.Message;
        }
    }
}
