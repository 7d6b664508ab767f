using System.Diagnostics;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing.Libvirt;
using HaAgent.Testing;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>The watcher against real QEMU under a private libvirtd: kill -9 and SIGSTOP of the QEMU process.</summary>
public sealed class VmWatcherQemuTests(LibvirtQemuSessionFixture fixture, ITestOutputHelper output) : IClassFixture<LibvirtQemuSessionFixture>
{
    [SkippableFact]
    public async Task QemuKilled_ReportedCrashedFromPidfdBeforeLibvirtsEvent()
    {
        var session = fixture.Require();
        var name = $"ha-{Guid.NewGuid():N}"[..12];
        await using var harness = await VmWatcherHarness.StartAsync(session.QemuUri, name, fixture.PidDirectory, output);
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        using var libvirtEvents = control.SubscribeLifecycleEvents();
        using var vm = SessionQemuDomain.DefineNamed(control, name);
        vm.Domain.Create();
        var pid = await harness.WaitRunningAsync(name);
        Assert.Equal(session.QemuPid(name), pid);

        var killedAt = Stopwatch.GetTimestamp();
        using (var qemu = Process.GetProcessById(pid))
        {
            qemu.Kill();
        }
        var crashed = await harness.WaitForAsync(c => c.Current == VmStatus.Crashed, TimeSpan.FromSeconds(1));
        var agentSaw = Stopwatch.GetElapsedTime(killedAt, crashed.PublishedTimestamp);
        var libvirtSaw = await WaitForStoppedAsync(libvirtEvents, name, killedAt);
        output.WriteLine($"kill -9 -> agent Crashed ({crashed.Source}) after {agentSaw.TotalMilliseconds:F1} ms; libvirt STOPPED after {libvirtSaw.TotalMilliseconds:F1} ms");

        Assert.Equal(VmChangeSource.ProcessExit, crashed.Source);
        Assert.True(agentSaw < TimeSpan.FromSeconds(1), $"agent took {agentSaw}");
        Assert.True(agentSaw <= libvirtSaw + TimeSpan.FromSeconds(1), $"agent {agentSaw} vs libvirt {libvirtSaw}");
        // libvirt's own STOPPED/Failed confirms the crash; no flapping back to running.
        await Task.Delay(1500);
        Assert.Equal(VmStatus.Crashed, harness.Watcher.Snapshot().Single(e => e.Name == name).Status);
    }

    [SkippableFact]
    public async Task QemuSigstopped_ReportedHungThenRunningAfterSigcont()
    {
        var session = fixture.Require();
        var name = $"ha-{Guid.NewGuid():N}"[..12];
        // No pid directory: the watcher finds QEMU by its -uuid argument in /proc.
        await using var harness = await VmWatcherHarness.StartAsync(session.QemuUri, name, pidDirectory: null, output);
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        using var vm = SessionQemuDomain.DefineNamed(control, name);
        var domain = vm.Domain;
        domain.Create();
        var pid = await harness.WaitRunningAsync(name);

        await Signal("-STOP", pid);
        var hung = await harness.WaitForAsync(c => c.Current == VmStatus.Hung, TimeSpan.FromSeconds(2));
        Assert.Equal(VmChangeSource.ProcessProbe, hung.Source);
        Assert.Equal(DomainState.Running, domain.GetState().State); // libvirt alone would have said running
        await Task.Delay(1500); // a reconcile passes and must not call it running
        Assert.Equal(VmStatus.Hung, harness.Watcher.Snapshot().Single(e => e.Name == name).Status);

        await Signal("-CONT", pid);
        var resumed = await harness.WaitForAsync(c => c.Current == VmStatus.Running, TimeSpan.FromSeconds(2));
        Assert.Equal(VmStatus.Hung, resumed.Previous);
    }

    private static async Task Signal(string signal, int pid) =>
        (await ProcessRunner.RunAsync("kill", [signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5))).EnsureSuccess("kill " + signal);

    private static async Task<TimeSpan> WaitForStoppedAsync(LifecycleEventSubscription events, string name, long since)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await foreach (var e in events.ReadAllAsync(deadline.Token))
        {
            if (e.DomainName == name && e.Type == DomainEventType.Stopped)
            {
                return Stopwatch.GetElapsedTime(since);
            }
        }
        throw new Xunit.Sdk.XunitException("libvirt never reported STOPPED");
    }
}
