using System.Diagnostics;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.NativeInterop.Tests.Libvirt;

/// <summary>
/// Real QEMU processes under a real libvirtd (session mode): the events and states an HA agent sees when a VM is
/// destroyed or its QEMU dies. Each test defines its own domain and undefines it.
/// </summary>
public sealed class LibvirtQemuTests : IClassFixture<LibvirtQemuSessionFixture>
{
    private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);
    private readonly LibvirtQemuSessionFixture _fixture;
    private readonly ITestOutputHelper _output;

    public LibvirtQemuTests(LibvirtQemuSessionFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [SkippableFact]
    public async Task CreateThenDestroy_RealQemu_StartedThenStoppedDestroyed()
    {
        var session = RequireSession();
        using var connection = await LibvirtConnection.OpenAsync(session.QemuUri, OpenTimeout);
        using var events = connection.SubscribeLifecycleEvents();
        using var vm = SessionQemuDomain.Define(connection);
        var (name, domain) = vm;
        domain.Create();
        await WaitForAsync(events, name, DomainEventType.Started);
        Assert.Equal(DomainState.Running, domain.GetState().State);
        var qemu = session.QemuPid(name);
        Assert.True(ProcessKiller.IsAlive(qemu));

        domain.Destroy();
        var stopped = await WaitForAsync(events, name, DomainEventType.Stopped);

        Assert.Equal(DomainEventStoppedDetail.Destroyed, stopped.StoppedDetail);
        Assert.Equal(DomainShutoffReason.Destroyed, domain.GetState().ShutoffReason);
        Assert.False(ProcessKiller.IsAlive(qemu));
    }

    [SkippableFact]
    public async Task QemuKilled_RealQemu_StoppedFailedAndShutoffCrashed()
    {
        var session = RequireSession();
        using var connection = await LibvirtConnection.OpenAsync(session.QemuUri, OpenTimeout);
        using var events = connection.SubscribeLifecycleEvents();
        using var vm = SessionQemuDomain.Define(connection);
        var (name, domain) = vm;
        domain.Create();
        await WaitForAsync(events, name, DomainEventType.Started);

        var stopwatch = Stopwatch.StartNew();
        ProcessKiller.KillAndWait(session.QemuPid(name));
        // libvirt emits STOPPED only once the QEMU PID is gone (virProcessKillPainfully polls kill(pid, 0)).
        // QEMU is daemonized, so its zombie belongs to PID 1; this machine's init reaps lazily (~1.5 s), a
        // real init at once. Hence the wider deadline here.
        var stopped = await WaitForAsync(events, name, DomainEventType.Stopped, TimeSpan.FromSeconds(5));
        _output.WriteLine($"kill -9 -> STOPPED after {stopwatch.Elapsed}");

        Assert.Equal(DomainEventStoppedDetail.Failed, stopped.StoppedDetail);
        Assert.Equal(DomainShutoffReason.Crashed, domain.GetState().ShutoffReason);
    }

    private LibvirtSessionDaemon RequireSession()
    {
        Skip.If(_fixture.SkipReason is not null, _fixture.SkipReason);
        return _fixture.Session!;
    }

    private async Task<DomainLifecycleEvent> WaitForAsync(LifecycleEventSubscription events, string name, DomainEventType type, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? EventDeadline);
        try
        {
            await foreach (var lifecycleEvent in events.ReadAllAsync(deadline.Token))
            {
                _output.WriteLine($"{lifecycleEvent.DomainName}: {lifecycleEvent.Describe()}");
                if (lifecycleEvent.DomainName == name && lifecycleEvent.Type == type)
                {
                    return lifecycleEvent;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        throw new Xunit.Sdk.XunitException($"no {type} event for {name} within {EventDeadline}");
    }
}
