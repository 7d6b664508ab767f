using System.Diagnostics;
using System.Net.Sockets;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;

namespace HaAgent.NativeInterop.Tests.Libvirt;

/// <summary>
/// Through a real libvirtd (serving the test driver over a unix socket): the remote path an HA agent uses, where
/// the daemon can die or hang. Each test gets its own daemon, since several of them kill it.
/// </summary>
public sealed class LibvirtRemoteConnectionTests
{
    private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(1);

    [SkippableFact]
    public async Task OpenAsync_PeerAcceptsButNeverAnswers_TimesOutInsteadOfHanging()
    {
        Requires.Library("libvirt.so.0", "libvirt0");
        using var directory = new TempDirectory("libvirt-silent");
        var socketPath = directory.File("silent.sock");
        // Accepts connections (the kernel does, from the backlog) and never speaks libvirt RPC: a hung daemon.
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(4);
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutException>(
            () => LibvirtConnection.OpenAsync($"test+unix:///default?socket={socketPath}", TimeSpan.FromMilliseconds(300)));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [SkippableFact]
    public async Task OpenAsync_ReachableDaemon_ReturnsAUsableConnection()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();

        using var connection = await LibvirtConnection.OpenAsync(daemon.TestDefaultUri, TimeSpan.FromSeconds(5));

        Assert.Contains(connection.ListAllDomains(), d => d.Name == "test" && d.State == DomainState.Running);
    }

    [SkippableFact]
    public async Task Closed_DaemonKilled_CompletesWithEndOfFileAndEndsEventStreams()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var connection = LibvirtConnection.Open(daemon.TestDefaultUri);
        using var events = connection.SubscribeLifecycleEvents();

        daemon.Kill();

        Assert.Equal(ConnectionCloseReason.EndOfFile, await connection.Closed.WaitAsync(TimeSpan.FromSeconds(3)));
        await events.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(1));
    }

    [SkippableFact]
    public async Task Call_AfterDaemonDied_ThrowsLibvirtExceptionQuickly()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var connection = LibvirtConnection.Open(daemon.TestDefaultUri);
        using var domain = connection.LookupByName("test");
        daemon.Kill();
        await connection.Closed.WaitAsync(TimeSpan.FromSeconds(3));
        var stopwatch = Stopwatch.StartNew();

        var listError = Assert.Throws<LibvirtException>(() => connection.ListAllDomains());
        var stateError = Assert.Throws<LibvirtException>(() => domain.GetState());

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        Assert.NotEqual(LibvirtErrorCode.Ok, listError.Code);
        Assert.NotEqual(LibvirtErrorCode.Ok, stateError.Code);
    }

    [SkippableFact]
    public async Task EnableKeepAlive_DaemonHung_ClosesWithKeepAliveReason()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var connection = LibvirtConnection.Open(daemon.TestDefaultUri);

        Assert.True(connection.EnableKeepAlive(TimeSpan.FromSeconds(1), 1));
        var stopwatch = Stopwatch.StartNew();
        await daemon.FreezeAsync();

        // interval × (count + 1) plus a timer tick: about 2–3 s here.
        Assert.Equal(ConnectionCloseReason.KeepAlive, await connection.Closed.WaitAsync(TimeSpan.FromSeconds(8)));
        Assert.True(stopwatch.Elapsed > TimeSpan.FromSeconds(0.9), $"closed {stopwatch.Elapsed} after the freeze began, less than one keepalive interval");
    }

    [SkippableFact]
    public async Task Destroy_OverRemoteDriver_StoppedEventArrivesWithinOneSecond()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var node = LibvirtTestNode.Create();
        using var connection = LibvirtConnection.Open(daemon.TestNodeUri(node));
        using var events = connection.SubscribeLifecycleEvents();
        var running = node.Domains.First(d => d.Running);
        using var domain = connection.LookupByName(running.Name);

        domain.Destroy();

        using var deadline = new CancellationTokenSource(EventDeadline);
        var stopped = await events.ReadAllAsync(deadline.Token).FirstAsync(e => e.DomainName == running.Name, deadline.Token);
        Assert.Equal(DomainEventStoppedDetail.Destroyed, stopped.StoppedDetail);
        Assert.Equal(running.Uuid, stopped.DomainUuid);
    }

    [SkippableFact]
    public async Task ListAllDomains_OverRemoteDriver_MatchesTheNode()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var node = LibvirtTestNode.Create();
        using var connection = LibvirtConnection.Open(daemon.TestNodeUri(node));

        var listed = connection.ListAllDomains();

        Assert.Equal(
            node.Domains.Select(d => (d.Name, d.Running ? DomainState.Running : DomainState.ShutOff)).Order(),
            listed.Select(d => (d.Name, d.State)).Order());
    }
}
