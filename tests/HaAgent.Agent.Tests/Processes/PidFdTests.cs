using System.Diagnostics;
using HaAgent.NativeInterop;
using HaAgent.NativeInterop.Processes;

namespace HaAgent.Agent.Tests.Processes;

public sealed class PidFdTests
{
    [Fact]
    public async Task Monitor_ProcessKilledThroughPidfd_ExitPostedAndHasExited()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        using var pidfd = PidFd.Open(sleeper.Id);
        using var monitor = new ProcessExitMonitor();
        monitor.Watch(pidfd);
        Assert.False(pidfd.HasExited);

        var killed = Stopwatch.GetTimestamp();
        Assert.True(pidfd.Kill());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var exit = await monitor.Exits.ReadAsync(deadline.Token);

        Assert.Equal(sleeper.Id, exit.Pid);
        Assert.Same(pidfd, exit.Handle);
        Assert.True(pidfd.HasExited);
        Assert.True(Stopwatch.GetElapsedTime(killed, exit.Timestamp) < TimeSpan.FromSeconds(1));
        Assert.Equal(0, monitor.Count);
        await sleeper.WaitForExitAsync(deadline.Token);
        Assert.False(pidfd.SendSignal(0)); // reaped: ESRCH, and never a newcomer with the same PID
    }

    [Fact]
    public void Open_NoSuchProcess_ThrowsEsrch()
    {
        var error = Assert.Throws<ErrnoException>(() => PidFd.Open(int.MaxValue - 1));
        Assert.Equal(Errno.ESRCH, error.Errno);
    }

    [Fact]
    public async Task Monitor_ManyProcesses_OnlyTheOneThatDiesIsPosted()
    {
        var sleepers = Enumerable.Range(0, 5).Select(_ => Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!).ToArray();
        var handles = sleepers.Select(p => PidFd.Open(p.Id)).ToArray();
        using var monitor = new ProcessExitMonitor();
        try
        {
            foreach (var handle in handles)
            {
                monitor.Watch(handle);
            }
            monitor.Unwatch(handles[0]);
            handles[0].Kill();
            handles[3].Kill();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            Assert.Equal(sleepers[3].Id, (await monitor.Exits.ReadAsync(deadline.Token)).Pid);
            await Task.Delay(100);
            Assert.False(monitor.Exits.TryRead(out _));
            Assert.Equal(3, monitor.Count);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Kill();
                handle.Dispose();
            }
            foreach (var sleeper in sleepers)
            {
                sleeper.WaitForExit(2000);
                sleeper.Dispose();
            }
        }
    }
}
