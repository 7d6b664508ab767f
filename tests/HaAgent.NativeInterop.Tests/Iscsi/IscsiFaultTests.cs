using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.Testing;
using HaAgent.Testing.Iscsi;
using Xunit.Abstractions;
using static HaAgent.Testing.Iscsi.IscsiTestHosts;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>A fence path must end in bounded time with a typed answer, whatever the target does.</summary>
public sealed class IscsiFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DeadTargetBound = TimeSpan.FromSeconds(2);

    [SkippableFact]
    public async Task WriteBlocks_TgtdKilledMidSession_ThrowsTransportErrorWithinTwoSeconds()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync();
        using var a = Connect(target, InitiatorA);
        a.Register(KeyA);
        a.WriteBlocks(0, Block(a, 1));

        target.Kill();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<IscsiTransportException>(() => a.WriteBlocks(0, Block(a, 2)));
        clock.Stop();

        output.WriteLine($"elapsed {clock.Elapsed.TotalMilliseconds:F1} ms: {error.Message}");
        Assert.True(clock.Elapsed < DeadTargetBound, $"took {clock.Elapsed}");
        Assert.Equal("iscsi_write16_sync", error.Function);
        Assert.False(string.IsNullOrWhiteSpace(error.LibiscsiError));
        Assert.False(a.IsUsable);
    }

    [SkippableFact]
    public async Task Fence_TgtdKilledMidSession_ThrowsTransportErrorWithinTwoSecondsAndStaysFailed()
    {
        await using var hosts = await IscsiHostPair.StartAsync(IscsiHostSetup.Registered);
        var (target, a, b) = hosts;

        target.Kill();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<IscsiTransportException>(() => b.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly));
        Assert.Throws<IscsiTransportException>(() => b.ReadKeys());
        Assert.Throws<IscsiTransportException>(() => a.ReadKeys());
        clock.Stop();

        output.WriteLine($"elapsed {clock.Elapsed.TotalMilliseconds:F1} ms: {error.Message}");
        Assert.True(clock.Elapsed < DeadTargetBound, $"took {clock.Elapsed}");
        var again = Assert.Throws<IscsiTransportException>(() => b.WriteBlocks(0, Block(b, 1)));
        Assert.Contains("unusable", again.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ReadKeys_TgtdKilledWhileCommandInFlight_ThrowsTransportErrorWithinTwoSecondsOfTheKill()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync();
        using var b = Connect(target, InitiatorB, timeout: TimeSpan.FromSeconds(30));
        b.Register(KeyB);

        // Frozen, the target holds the command unanswered; the kill then lands while libiscsi waits for the reply.
        await target.FreezeAsync();
        var call = Task.Run(() => Assert.Throws<IscsiTransportException>(() => b.ReadKeys()));
        await Task.Delay(300);
        Assert.False(call.IsCompleted);
        var clock = Stopwatch.StartNew();
        target.Kill();
        var error = await call.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Stop();

        output.WriteLine($"elapsed {clock.Elapsed.TotalMilliseconds:F1} ms: {error.Message}");
        Assert.True(clock.Elapsed < DeadTargetBound, $"took {clock.Elapsed}");
        Assert.False(error.TimedOut, error.Message);
    }

    [SkippableFact]
    public async Task ReadKeys_TgtdFrozen_TimesOutWithinTimeoutPlusPollInterval()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync();
        using var b = Connect(target, InitiatorB, timeout: TimeSpan.FromSeconds(1));
        b.Register(KeyB);

        await target.FreezeAsync();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<IscsiTransportException>(() => b.ReadKeys());
        clock.Stop();
        await target.ThawAsync();

        Assert.True(error.TimedOut, error.Message);
        // libiscsi checks PDU deadlines (whole seconds) about once a second: timeout + 1 s, plus slack for a busy host.
        output.WriteLine($"elapsed {clock.Elapsed.TotalMilliseconds:F1} ms: {error.Message}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"took {clock.Elapsed}");
        Assert.False(b.IsUsable);
    }

    [SkippableFact]
    public void Connect_NothingListening_ThrowsConnectExceptionQuickly()
    {
        RequireLibiscsi();
        var portal = $"127.0.0.1:{FreePort.Next()}";

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<IscsiConnectException>(() => IscsiSession.Connect(portal, "iqn.2024-01.test.haagent:none", 1, InitiatorA, SessionTimeout));

        output.WriteLine($"elapsed {clock.Elapsed.TotalMilliseconds:F1} ms: {error.Message}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal("iscsi_full_connect_sync", error.Function);
        Assert.Contains(portal, error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Connect_PortalThatAcceptsButNeverAnswers_TimesOutWithinTenSeconds()
    {
        RequireLibiscsi();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var acceptor = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptSocketAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var portal = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<IscsiConnectException>(() => IscsiSession.Connect(portal, "iqn.2024-01.test.haagent:silent", 1, InitiatorA, TimeSpan.FromSeconds(2)));
        clock.Stop();
        await stop.CancelAsync();
        await acceptor;
        accepted.ForEach(s => s.Dispose());

        output.WriteLine($"elapsed {clock.Elapsed.TotalMilliseconds:F1} ms: {error.Message}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(error.TimedOut, error.Message);
    }

    [SkippableFact]
    public async Task Connect_UnknownTargetIqn_ThrowsConnectException()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync();

        var error = Assert.Throws<IscsiConnectException>(() => IscsiSession.Connect(target.Portal, target.TargetIqn + "-nope", 1, InitiatorA, SessionTimeout));

        Assert.Contains("target", error.LibiscsiError, StringComparison.OrdinalIgnoreCase);
        Assert.False(error.TimedOut);
    }

    [SkippableFact]
    public async Task Connect_LunThatDoesNotExist_ThrowsConnectException()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync(lunCount: 1);

        var error = Assert.Throws<IscsiConnectException>(() => Connect(target, InitiatorA, lun: 7));

        Assert.Contains("LUN 7", error.Message, StringComparison.Ordinal);
        using var lun1 = Connect(target, InitiatorA, lun: 1);
        Assert.True(lun1.IsUsable);
    }

    [SkippableFact]
    public async Task Methods_AfterDispose_ThrowObjectDisposedException()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync();
        var a = Connect(target, InitiatorA);
        a.Register(KeyA);
        a.Dispose();
        a.Dispose();

        Assert.False(a.IsUsable);
        Assert.Throws<ObjectDisposedException>(() => a.WriteBlocks(0, new byte[512]));
        Assert.Throws<ObjectDisposedException>(() => a.ReadBlocks(0, 1));
        Assert.Throws<ObjectDisposedException>(() => a.ReadCapacity());
        Assert.Throws<ObjectDisposedException>(() => a.ReadKeys());
        Assert.Throws<ObjectDisposedException>(() => a.ReadReservation());
        Assert.Throws<ObjectDisposedException>(() => a.Register(KeyA));
        Assert.Throws<ObjectDisposedException>(() => a.PreemptAndAbortOrPreempt(KeyA, KeyB, WriteExclusiveRegistrantsOnly));
    }

    [SkippableFact]
    public async Task WriteBlocks_BadLengthOrLba_ThrowsArgumentExceptionAndSessionStaysUsable()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync(lunSizeBytes: 1024 * 1024);
        using var a = Connect(target, InitiatorA);

        Assert.Throws<ArgumentException>(() => a.WriteBlocks(0, new byte[100]));
        Assert.Throws<ArgumentException>(() => a.WriteBlocks(0, ReadOnlySpan<byte>.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.WriteBlocks(a.Capacity.LastLba, new byte[1024]));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.ReadBlocks(a.Capacity.BlockCount, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Register(0));

        a.WriteBlocks(a.Capacity.LastLba, new byte[512]);
        Assert.True(a.IsUsable);
    }
}
