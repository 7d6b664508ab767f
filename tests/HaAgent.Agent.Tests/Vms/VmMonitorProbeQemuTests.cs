using System.Diagnostics;
using System.Globalization;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>
/// The monitor probe against real QEMU under a private libvirtd: a cgroup-frozen QEMU (which /proc shows as merely
/// sleeping) is hung once its monitor leaves query-status unanswered past the timeout, and running again once it answers.
/// </summary>
public sealed class VmMonitorProbeQemuTests(LibvirtQemuSessionFixture fixture, ITestOutputHelper output) : IClassFixture<LibvirtQemuSessionFixture>
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Interval + timeout + a tick, plus slack for libvirt's RPC and this loaded 2-core machine.</summary>
    private static readonly TimeSpan DetectionBound = ProbeEvery + Timeout + TimeSpan.FromMilliseconds(100) + TimeSpan.FromSeconds(1.5);

    [SkippableFact]
    public async Task CgroupFrozenQemu_ReportedHungWithinBound_RunningAgainAfterThaw()
    {
        var session = fixture.Require();
        var name = NewName();
        await using var harness = await StartAsync(session, name);
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        using var vm = SessionQemuDomain.DefineNamed(control, name);
        var domain = vm.Domain;
        domain.Create();
        var pid = await harness.WaitRunningAsync(name);
        await WaitForAnswersAsync(harness, 1);
        using var freezer = CgroupFreezer.Adopt(pid);

        var frozenAt = Stopwatch.GetTimestamp();
        freezer.Freeze();
        var procState = ProcStat.ReadState(pid);
        var hung = await harness.WaitForAsync(c => c.Name == name && c.Current == VmStatus.Hung, DetectionBound + TimeSpan.FromSeconds(2));
        var detectedAfter = Stopwatch.GetElapsedTime(frozenAt, hung.PublishedTimestamp);
        output.WriteLine($"cgroup freeze -> Hung after {detectedAfter.TotalMilliseconds:F0} ms (/proc state {procState}; bound {DetectionBound.TotalMilliseconds:F0} ms)");

        Assert.NotEqual('T', procState); // the /proc probe alone could not have seen it
        Assert.Equal(VmChangeSource.MonitorProbe, hung.Source);
        Assert.True(detectedAfter <= DetectionBound, $"hung after {detectedAfter}, bound {DetectionBound}");
        Assert.Equal(DomainState.Running, domain.GetState().State); // libvirt alone still says running
        await Task.Delay(Timeout * 2); // more deadlines and a reconcile pass: still hung, no flapping
        Assert.Equal(VmStatus.Hung, harness.Watcher.Snapshot().Single(e => e.Name == name).Status);

        var thawedAt = Stopwatch.GetTimestamp();
        freezer.Thaw();
        var running = await harness.WaitForAsync(c => c.Name == name, TimeSpan.FromSeconds(3));
        output.WriteLine($"thaw -> {running.Current} after {Stopwatch.GetElapsedTime(thawedAt, running.PublishedTimestamp).TotalMilliseconds:F0} ms ({running.Reason})");
        Assert.Equal((VmStatus.Hung, VmStatus.Running, VmChangeSource.MonitorProbe), (running.Previous, running.Current, running.Source));
    }

    [SkippableFact]
    public async Task SigstoppedQemu_WithMonitorProbe_HungUntilSigcont()
    {
        var session = fixture.Require();
        var name = NewName();
        await using var harness = await StartAsync(session, name);
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        using var vm = SessionQemuDomain.DefineNamed(control, name);
        vm.Domain.Create();
        var pid = await harness.WaitRunningAsync(name);
        await WaitForAnswersAsync(harness, 1);

        var stoppedAt = Stopwatch.GetTimestamp();
        await Signal("-STOP", pid);
        var hung = await harness.WaitForAsync(c => c.Name == name && c.Current == VmStatus.Hung, TimeSpan.FromSeconds(3));
        output.WriteLine($"SIGSTOP -> Hung after {Stopwatch.GetElapsedTime(stoppedAt, hung.PublishedTimestamp).TotalMilliseconds:F0} ms ({hung.Source})");
        Assert.Equal(VmChangeSource.ProcessProbe, hung.Source);
        // Long enough for the monitor probe to go silent too: both verdicts hold it hung, neither flaps it back.
        await Task.Delay(Timeout * 3);
        Assert.Equal(VmStatus.Hung, harness.Watcher.Snapshot().Single(e => e.Name == name).Status);

        await Signal("-CONT", pid);
        var running = await harness.WaitForAsync(c => c.Name == name, TimeSpan.FromSeconds(3));
        Assert.Equal((VmStatus.Hung, VmStatus.Running), (running.Previous, running.Current));
        await Task.Delay(Timeout * 2);
        Assert.Equal(VmStatus.Running, harness.Watcher.Snapshot().Single(e => e.Name == name).Status);
    }

    [SkippableFact]
    public async Task HealthyQemu_ProbedForTenSeconds_NeverHung()
    {
        var session = fixture.Require();
        var name = NewName();
        await using var harness = await StartAsync(session, name);
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        using var vm = SessionQemuDomain.DefineNamed(control, name);
        vm.Domain.Create();
        await harness.WaitRunningAsync(name);
        var answersBefore = harness.Watcher.MonitorAnswers;

        var changes = new List<VmChange>();
        using var window = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                changes.Add(await harness.Watcher.Changes.ReadAsync(window.Token));
            }
        }
        catch (OperationCanceledException)
        {
        }
        var answers = harness.Watcher.MonitorAnswers - answersBefore;
        output.WriteLine($"10 s: {answers} monitor probes answered, changes: {string.Join("; ", changes.Select(c => $"{c.Previous}=>{c.Current}"))}");

        Assert.Empty(changes);
        Assert.True(answers >= 10, $"only {answers} probes answered in 10 s at one per {ProbeEvery}");
        Assert.Equal(VmStatus.Running, harness.Watcher.Snapshot().Single(e => e.Name == name).Status);
    }

    [SkippableFact]
    public async Task FrozenMonitor_OtherVmsChangesStillSeenPromptly()
    {
        var session = fixture.Require();
        var prefix = NewName();
        await using var harness = await StartAsync(session, prefix);
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        using var frozen = SessionQemuDomain.DefineNamed(control, prefix + "-a");
        using var other = SessionQemuDomain.DefineNamed(control, prefix + "-b");
        frozen.Domain.Create();
        other.Domain.Create();
        var pid = await harness.WaitRunningAsync(frozen.Name);
        await WaitForAnswersAsync(harness, 2);
        using var freezer = CgroupFreezer.Adopt(pid);
        freezer.Freeze();
        await harness.WaitForAsync(c => c.Name == prefix + "-a" && c.Current == VmStatus.Hung, DetectionBound + TimeSpan.FromSeconds(2));

        // The frozen VM's probe is stuck inside libvirt; the watcher's own loop must not be. SIGSTOP of the other
        // VM is seen by the loop's /proc probe alone (no libvirt call: a libvirt destroy would hold the re-list).
        var otherPid = session.QemuPid(prefix + "-b");
        var stoppedAt = Stopwatch.GetTimestamp();
        await Signal("-STOP", otherPid);
        var otherHung = await harness.WaitForAsync(c => c.Name == prefix + "-b" && c.Current == VmStatus.Hung, TimeSpan.FromSeconds(2));
        var seenAfter = Stopwatch.GetElapsedTime(stoppedAt, otherHung.PublishedTimestamp);
        await Signal("-CONT", otherPid);
        var otherBack = await harness.WaitForAsync(c => c.Name == prefix + "-b", TimeSpan.FromSeconds(3));
        output.WriteLine($"while {prefix}-a is frozen: SIGSTOP {prefix}-b -> Hung after {seenAfter.TotalMilliseconds:F0} ms ({otherHung.Source}); SIGCONT -> {otherBack.Current} ({otherBack.Source})");
        Assert.Equal(VmChangeSource.ProcessProbe, otherHung.Source);
        Assert.True(seenAfter < TimeSpan.FromSeconds(1), $"the watcher's loop took {seenAfter} to see the other VM stop");
        Assert.Equal(VmStatus.Running, otherBack.Current);
        Assert.Equal(VmStatus.Hung, harness.Watcher.Snapshot().Single(e => e.Name == prefix + "-a").Status);
    }

    /// <summary>
    /// Why control info alone is not a hang detector, and why it is the right judge of an outstanding probe:
    /// libvirt answers it without QEMU (promptly even when QEMU is frozen), and it says "ok" for a frozen QEMU nobody
    /// is talking to; only while a command waits inside the monitor does it say "occupied", with how long.
    /// </summary>
    [SkippableFact]
    public async Task FrozenQemu_ControlInfoOkWhileIdle_OccupiedWhileACommandWaits()
    {
        var session = fixture.Require();
        var name = NewName();
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        using var vm = SessionQemuDomain.DefineNamed(control, name);
        var domain = vm.Domain;
        domain.Create();
        Assert.Contains("\"running\"", domain.QemuMonitorCommand("""{"execute":"query-status"}"""), StringComparison.Ordinal);
        using var freezer = CgroupFreezer.Adopt(session.QemuPid(name));
        freezer.Freeze();

        var asked = Stopwatch.GetTimestamp();
        var idle = domain.GetControlInfo();
        var idleTook = Stopwatch.GetElapsedTime(asked);
        Assert.Equal(DomainControlState.Ok, idle.State);

        var query = Task.Factory.StartNew(() => domain.QemuMonitorCommand("""{"execute":"query-status"}"""), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.Delay(1000);
        Assert.False(query.IsCompleted, "a frozen QEMU answered");
        asked = Stopwatch.GetTimestamp();
        var waiting = domain.GetControlInfo();
        var waitingTook = Stopwatch.GetElapsedTime(asked);
        output.WriteLine($"frozen QEMU: control info {idle.State} in {idleTook.TotalMilliseconds:F2} ms while idle; {waiting.State} for {waiting.StateTime.TotalMilliseconds:F0} ms in {waitingTook.TotalMilliseconds:F2} ms while query-status waits");
        Assert.Equal(DomainControlState.Occupied, waiting.State);
        Assert.True(waiting.StateTime >= TimeSpan.FromMilliseconds(800), $"occupied for only {waiting.StateTime}");
        Assert.True(waitingTook < TimeSpan.FromMilliseconds(500), $"control info took {waitingTook}");

        freezer.Thaw();
        var reply = await query.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("\"running\"", reply, StringComparison.Ordinal);
        Assert.Equal(DomainControlState.Ok, domain.GetControlInfo().State);
    }

    private static string NewName() => $"ha-{Guid.NewGuid():N}"[..12];

    private Task<VmWatcherHarness> StartAsync(LibvirtSessionDaemon session, string prefix) =>
        VmWatcherHarness.StartAsync(session.QemuUri, prefix, fixture.PidDirectory, output,
            o => o with { MonitorProbeInterval = ProbeEvery, MonitorTimeout = Timeout });

    /// <summary>Waits (bounded) until the probe has had <paramref name="count"/> answers, so the baseline is a working monitor.</summary>
    private static async Task WaitForAnswersAsync(VmWatcherHarness harness, long count)
    {
        var deadline = Stopwatch.StartNew();
        while (harness.Watcher.MonitorAnswers < count)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), $"only {harness.Watcher.MonitorAnswers} monitor answers after 5 s");
            await Task.Delay(50);
        }
    }

    private static async Task Signal(string signal, int pid) =>
        (await ProcessRunner.RunAsync("kill", [signal, pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5))).EnsureSuccess("kill " + signal);
}
