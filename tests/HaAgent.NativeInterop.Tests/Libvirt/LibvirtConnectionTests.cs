using System.Diagnostics;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;

namespace HaAgent.NativeInterop.Tests.Libvirt;

/// <summary>
/// Against libvirt's in-process test driver (test:///path/node.xml): real libvirt.so, real event loop, no daemon.
/// Every test opens its own connection, which gets its own copy of the node.
/// </summary>
public sealed class LibvirtConnectionTests : IClassFixture<LibvirtTestNode>
{
    private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(1);
    private readonly LibvirtTestNode _node;

    public LibvirtConnectionTests(LibvirtTestNode node)
    {
        _node = node;
    }

    [SkippableFact]
    public void ListAllDomains_TestNode_ReportsEveryDomainWithItsState()
    {
        using var connection = Open();

        var listed = connection.ListAllDomains().OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

        var expected = _node.Domains.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(d => (d.Name, d.Uuid)), listed.Select(d => (d.Name, d.Uuid)));
        foreach (var (domain, info) in expected.Zip(listed))
        {
            Assert.Equal(domain.Running ? DomainState.Running : DomainState.ShutOff, info.State);
            Assert.Equal(domain.Running, info.Id is not null);
        }
    }

    [SkippableFact]
    public async Task Destroy_RunningDomain_StoppedDestroyedEventArrivesWithinOneSecond()
    {
        using var connection = Open();
        using var events = connection.SubscribeLifecycleEvents();
        var running = _node.Domains.First(d => d.Running);
        using var domain = connection.LookupByName(running.Name);

        domain.Destroy();

        var stopped = await NextEventAsync(events, running.Name);
        Assert.Equal(DomainEventType.Stopped, stopped.Type);
        Assert.Equal(DomainEventStoppedDetail.Destroyed, stopped.StoppedDetail);
        Assert.Equal(running.Uuid, stopped.DomainUuid);
        Assert.Equal(new DomainStateInfo(DomainState.ShutOff, (int)DomainShutoffReason.Destroyed), domain.GetState());
        Assert.Null(domain.GetId());
    }

    [SkippableFact]
    public async Task Create_ShutOffDomain_StartedBootedEventArrivesWithinOneSecond()
    {
        using var connection = Open();
        using var events = connection.SubscribeLifecycleEvents();
        var shutOff = _node.Domains.First(d => !d.Running);
        using var domain = connection.LookupByUuid(shutOff.Uuid);

        domain.Create();

        var started = await NextEventAsync(events, shutOff.Name);
        Assert.Equal(DomainEventType.Started, started.Type);
        Assert.Equal(DomainEventStartedDetail.Booted, started.StartedDetail);
        Assert.Equal(DomainState.Running, domain.GetState().State);
        Assert.NotNull(domain.GetId());
    }

    [SkippableFact]
    public async Task LifecycleEvents_AsyncStream_YieldsEventsUntilCancelled()
    {
        using var connection = Open();
        var running = _node.Domains.First(d => d.Running);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await using var stream = connection.LifecycleEvents(cancel.Token).GetAsyncEnumerator(cancel.Token);
        // Enumeration registers the callback; start it before acting.
        var next = stream.MoveNextAsync().AsTask();
        using (var domain = connection.LookupByName(running.Name))
        {
            domain.Destroy();
        }

        Assert.True(await next.WaitAsync(EventDeadline));
        Assert.Equal((running.Name, DomainEventType.Stopped), (stream.Current.DomainName, stream.Current.Type));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.MoveNextAsync().AsTask());
    }

    [SkippableFact]
    public async Task DefineXml_GetXml_Undefine_RoundTripsAndRaisesDefinedAndUndefined()
    {
        using var connection = Open();
        using var events = connection.SubscribeLifecycleEvents();
        var uuid = Guid.NewGuid();
        const string name = "defined-1";

        using (var domain = connection.DefineXml(LibvirtTestNode.DomainXml(name, uuid)))
        {
            Assert.Equal(name, domain.Name);
            Assert.Equal(uuid, domain.Uuid);
            var xml = domain.GetXml(inactive: true);
            Assert.Contains($"<name>{name}</name>", xml, StringComparison.Ordinal);
            Assert.Contains($"<uuid>{uuid:D}</uuid>", xml, StringComparison.Ordinal);
            Assert.Contains(connection.ListAllDomains(), d => d.Name == name && d.State == DomainState.ShutOff);
            Assert.Equal(DomainEventType.Defined, (await NextEventAsync(events, name)).Type);

            domain.Undefine();
        }

        Assert.Equal(DomainEventUndefinedDetail.Removed, (await NextEventAsync(events, name)).UndefinedDetail);
        var missing = Assert.Throws<LibvirtException>(() => connection.LookupByUuid(uuid));
        Assert.Equal(LibvirtErrorCode.NoDomain, missing.Code);
        Assert.DoesNotContain(connection.ListAllDomains(), d => d.Name == name);
    }

    [SkippableFact]
    public void DefineXml_MalformedXml_ThrowsLibvirtExceptionWithLibvirtsCodeAndMessage()
    {
        using var connection = Open();

        var error = Assert.Throws<LibvirtException>(() => connection.DefineXml("<domain type='test'><name>broken</name"));

        Assert.Equal("virDomainDefineXML", error.Function);
        // libvirt reports parser errors as XML_DETAIL, with line and column in the message.
        Assert.Contains(error.Code, new[] { LibvirtErrorCode.XmlDetail, LibvirtErrorCode.XmlError });
        Assert.False(string.IsNullOrWhiteSpace(error.LibvirtMessage));
        Assert.Contains(error.LibvirtMessage, error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void DefineXml_WellFormedButNotADomain_ThrowsLibvirtException()
    {
        using var connection = Open();

        var error = Assert.Throws<LibvirtException>(() => connection.DefineXml("<network><name>n</name></network>"));

        Assert.NotEqual(LibvirtErrorCode.Ok, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.LibvirtMessage));
    }

    [SkippableFact]
    public void LookupByName_UnknownDomain_ThrowsNoDomain()
    {
        using var connection = Open();

        var error = Assert.Throws<LibvirtException>(() => connection.LookupByName("no-such-domain"));

        Assert.Equal(LibvirtErrorCode.NoDomain, error.Code);
    }

    [SkippableTheory]
    [InlineData("test:///no/such/dir/node.xml")]
    [InlineData("test://")]
    [InlineData("no-such-driver:///x")]
    [InlineData("test:///default?%zz")]
    public void Open_MalformedOrUnusableUri_ThrowsLibvirtExceptionQuickly(string uri)
    {
        Requires.Library("libvirt.so.0", "libvirt0");
        var stopwatch = Stopwatch.StartNew();

        var error = Assert.Throws<LibvirtException>(() => LibvirtConnection.Open(uri));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        Assert.Equal("virConnectOpen", error.Function);
        Assert.NotEqual(LibvirtErrorCode.Ok, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.LibvirtMessage));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Open_EmptyUri_ThrowsArgumentExceptionInsteadOfGuessingAHypervisor(string uri)
    {
        Assert.Throws<ArgumentException>(() => LibvirtConnection.Open(uri));
    }

    [SkippableFact]
    public void EnableKeepAlive_InProcessTestDriver_ThrowsNoSupport()
    {
        using var connection = Open();

        var error = Assert.Throws<LibvirtException>(() => connection.EnableKeepAlive(TimeSpan.FromSeconds(2), 2));

        Assert.Equal(LibvirtErrorCode.NoSupport, error.Code);
    }

    [SkippableFact]
    public async Task Dispose_Connection_ThenUse_ThrowsObjectDisposedAndCompletesStreams()
    {
        var connection = Open();
        var events = connection.SubscribeLifecycleEvents();

        connection.Dispose();
        connection.Dispose();

        Assert.Throws<ObjectDisposedException>(() => connection.ListAllDomains());
        Assert.Throws<ObjectDisposedException>(() => connection.LookupByName("web-1"));
        Assert.Throws<ObjectDisposedException>(() => connection.DefineXml(LibvirtTestNode.DomainXml("x", Guid.NewGuid())));
        Assert.Throws<ObjectDisposedException>(() => connection.SubscribeLifecycleEvents());
        Assert.Throws<ObjectDisposedException>(() => connection.EnableKeepAlive(TimeSpan.FromSeconds(1), 1));
        Assert.Equal(ConnectionCloseReason.Client, await connection.Closed.WaitAsync(EventDeadline));
        await events.Reader.Completion.WaitAsync(EventDeadline);
        events.Dispose();
    }

    [SkippableFact]
    public void Dispose_Domain_ThenUse_ThrowsObjectDisposed()
    {
        using var connection = Open();
        var domain = connection.LookupByName(_node.Domains[0].Name);

        domain.Dispose();
        domain.Dispose();

        Assert.Throws<ObjectDisposedException>(() => domain.Name);
        Assert.Throws<ObjectDisposedException>(() => domain.Uuid);
        Assert.Throws<ObjectDisposedException>(() => domain.GetState());
        Assert.Throws<ObjectDisposedException>(() => domain.GetId());
        Assert.Throws<ObjectDisposedException>(() => domain.GetXml());
        Assert.Throws<ObjectDisposedException>(domain.Create);
        Assert.Throws<ObjectDisposedException>(domain.Destroy);
        Assert.Throws<ObjectDisposedException>(domain.Undefine);
    }

    [SkippableFact]
    public void Dispose_ConnectionBeforeItsDomain_DomainKeepsNativeConnectionAlive()
    {
        var connection = Open();
        var running = _node.Domains.First(d => d.Running);
        var domain = connection.LookupByName(running.Name);

        connection.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // The native connection closes only with its last domain, so the domain still works...
        Assert.Equal(running.Name, domain.Name);
        Assert.Equal(DomainState.Running, domain.GetState().State);
        domain.Destroy();
        Assert.Equal(DomainState.ShutOff, domain.GetState().State);
        // ...and releasing it last (virDomainFree, then virConnectClose) is clean.
        domain.Dispose();
        Assert.Throws<ObjectDisposedException>(() => domain.GetState());
    }

    [SkippableFact]
    public async Task Dispose_WhileOtherThreadsUseTheConnection_OnlySucceedsOrThrowsObjectDisposed()
    {
        var connection = Open();
        var domain = connection.LookupByName(_node.Domains[0].Name);
        using var started = new CountdownEvent(4);
        var workers = Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            started.Signal();
            for (var n = 0; n < 100_000; n++)
            {
                try
                {
                    _ = i % 2 == 0 ? connection.ListAllDomains().Count : domain.GetState().Reason;
                    using var events = connection.SubscribeLifecycleEvents();
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        })).ToArray();
        started.Wait(TimeSpan.FromSeconds(5));
        await Task.Delay(50);

        connection.Dispose();
        domain.Dispose();

        // Any other exception (or a crash of the test host) fails here.
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task Dispose_Subscription_CompletesReaderAndStopsDelivery()
    {
        using var connection = Open();
        var events = connection.SubscribeLifecycleEvents();
        using var other = connection.SubscribeLifecycleEvents();

        events.Dispose();
        events.Dispose();
        using (var domain = connection.LookupByName(_node.Domains.First(d => d.Running).Name))
        {
            domain.Destroy();
        }

        await events.Reader.Completion.WaitAsync(EventDeadline);
        Assert.False(events.Reader.TryRead(out _));
        // The other subscription is unaffected.
        Assert.Equal(DomainEventType.Stopped, (await NextEventAsync(other, _node.Domains.First(d => d.Running).Name)).Type);
    }

    [SkippableFact]
    public async Task Subscription_ReaderFallsBehind_DropsOldestAndCounts()
    {
        using var connection = Open();
        using var events = connection.SubscribeLifecycleEvents(capacity: 1);
        using var probe = connection.SubscribeLifecycleEvents();
        var running = _node.Domains.Where(d => d.Running).ToList();

        foreach (var name in running.Select(d => d.Name))
        {
            using var domain = connection.LookupByName(name);
            domain.Destroy();
        }
        // Wait until everything was dispatched (the probe saw the last one).
        await NextEventAsync(probe, running[^1].Name);

        Assert.Equal(running.Count - 1, events.DroppedCount);
        Assert.True(events.Reader.TryRead(out var newest));
        Assert.Equal(running[^1].Name, newest.DomainName);
    }

    private LibvirtConnection Open()
    {
        Requires.Library("libvirt.so.0", "libvirt0");
        return LibvirtConnection.Open(_node.Uri);
    }

    private static async Task<DomainLifecycleEvent> NextEventAsync(LifecycleEventSubscription events, string domainName)
    {
        using var deadline = new CancellationTokenSource(EventDeadline);
        try
        {
            await foreach (var lifecycleEvent in events.ReadAllAsync(deadline.Token))
            {
                if (lifecycleEvent.DomainName == domainName)
                {
                    return lifecycleEvent;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        throw new Xunit.Sdk.XunitException($"no lifecycle event for {domainName} within {EventDeadline}");
    }
}
