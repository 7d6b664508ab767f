using HaAgent.Agent.Vms;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>The watcher against libvirt's test driver (in-process, real lifecycle events, no QEMU).</summary>
public sealed class VmWatcherTestDriverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(2);

    private static LibvirtTestNode Node() => LibvirtTestNode.Create(
    [
        new("ha-web", Guid.NewGuid(), Running: true),
        new("ha-db", Guid.NewGuid(), Running: true),
        new("ha-batch", Guid.NewGuid(), Running: false),
        new("scratch", Guid.NewGuid(), Running: true),
    ]);

    [SkippableFact]
    public async Task Run_FirstReconcile_TableHoldsEveryManagedVmOnly()
    {
        HaAgent.Testing.Requires.Library("libvirt.so.0", "libvirt0");
        using var node = Node();
        await using var harness = await VmWatcherHarness.StartAsync(node.Uri, "ha-", output: output);

        var table = harness.Watcher.Snapshot().ToDictionary(e => e.Name, e => e.Status);

        Assert.Equal(3, table.Count);
        Assert.Equal(VmStatus.Running, table["ha-web"]);
        Assert.Equal(VmStatus.Running, table["ha-db"]);
        Assert.Equal(VmStatus.Stopped, table["ha-batch"]);
        var published = new List<VmChange>();
        while (harness.Watcher.Changes.TryRead(out var change))
        {
            published.Add(change);
        }
        Assert.Equal(3, published.Count);
        Assert.All(published, c => Assert.Equal(VmStatus.Unknown, c.Previous));
    }

    [SkippableFact]
    public async Task LifecycleEvents_DestroyAndCreate_PublishedAsStoppedAndRunning()
    {
        HaAgent.Testing.Requires.Library("libvirt.so.0", "libvirt0");
        using var node = Node();
        await using var harness = await VmWatcherHarness.StartAsync(node.Uri, "ha-", output: output);
        while (harness.Watcher.Changes.TryRead(out _))
        {
        }
        var connection = harness.Watcher.Connection!;

        using (var web = connection.LookupByName("ha-web"))
        {
            web.Destroy();
        }
        var stopped = await harness.WaitForAsync(c => c.Name == "ha-web", Soon);
        using (var batch = connection.LookupByName("ha-batch"))
        {
            batch.Create();
        }
        var started = await harness.WaitForAsync(c => c.Name == "ha-batch", Soon);
        using (var scratch = connection.LookupByName("scratch"))
        {
            scratch.Destroy();
        }

        Assert.Equal((VmStatus.Running, VmStatus.Stopped, VmChangeSource.LifecycleEvent), (stopped.Previous, stopped.Current, stopped.Source));
        Assert.Equal((VmStatus.Stopped, VmStatus.Running, VmChangeSource.LifecycleEvent), (started.Previous, started.Current, started.Source));
        await Task.Delay(300);
        Assert.False(harness.Watcher.Changes.TryRead(out var unexpected), $"unmanaged or repeated change: {unexpected}");
        Assert.Equal(VmStatus.Stopped, harness.Watcher.Snapshot().Single(e => e.Name == "ha-web").Status);
    }
}
