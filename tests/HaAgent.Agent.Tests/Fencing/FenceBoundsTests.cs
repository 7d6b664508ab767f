using System.Diagnostics;
using HaAgent.Agent.Configuration;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.Testing;
using HaAgent.Testing.Iscsi;
using Microsoft.Extensions.Logging.Abstractions;
using static HaAgent.Agent.Tests.Fixtures.AgentTestHosts;

namespace HaAgent.Agent.Tests.Fencing;

/// <summary>A fence against storage that does not answer ends in bounded time with a typed failure, never success.</summary>
public sealed class FenceBoundsTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(3);
    private readonly TempDirectory _directory = new("agent-bounds");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Execute_FrozenIscsiTarget_FailsTypedWithinTheStepBound()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var vmB = VmSession(target, VmInitiatorB);
        vmB.Register(KeyB);
        using var pool = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorB, KeyB));
        var executor = new FenceExecutor(new AgentStateStore(_directory.File("state.json")), null, pool, Step, TimeProvider.System,
            NullLogger<FenceExecutor>.Instance);
        await target.FreezeAsync();
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var report = await executor.ExecuteAsync(new FenceCommand("f-1", 1, "hostA", [new IscsiFenceTarget(null, target.TargetIqn, 1, KeyA)]));

            Assert.False(report.Succeeded);
            Assert.Contains(Assert.Single(report.Failures).Kind, new[] { FenceFailureKind.Timeout, FenceFailureKind.Unreachable });
            Assert.Empty(report.Proofs);
            Assert.True(stopwatch.Elapsed < Step + TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        }
        finally
        {
            await target.ThawAsync();
        }
    }

    [SkippableFact]
    public async Task Execute_CephMonUnreachable_FailsTypedWithinTheStepBound()
    {
        Requires.Library("librados.so.2", "librados2");
        var port = FreePort.Next(); // nothing listens there
        var conf = _directory.File("ceph.conf");
        await File.WriteAllTextAsync(conf, $"[global]\nmon host = [v2:127.0.0.1:{port}]\nauth client required = cephx\nlog to stderr = false\n");
        var keyring = _directory.File("fencer.keyring");
        await File.WriteAllTextAsync(keyring, HaAgent.Testing.Ceph.CephxKey.KeyringSection("client.fencer", HaAgent.Testing.Ceph.CephxKey.Generate()));
        using var ceph = new CephConnections(new CephAgentOptions
        {
            ConfigFile = conf, ClientName = "client.hostA", Keyring = keyring, FencerClientName = "client.fencer", FencerKeyring = keyring,
            HeartbeatPool = "ha", OperationTimeout = TimeSpan.FromSeconds(1),
        });
        var state = new AgentStateStore(_directory.File("state.json"));
        var executor = new FenceExecutor(state, ceph, null, Step, TimeProvider.System, NullLogger<FenceExecutor>.Instance);

        var stopwatch = Stopwatch.StartNew();
        var report = await executor.ExecuteAsync(new FenceCommand("f-1", 2, "hostA", [new CephFenceTarget(["127.0.0.1:0/12345"], [])]));

        var failure = Assert.Single(report.Failures);
        Assert.Contains(failure.Kind, new[] { FenceFailureKind.Timeout, FenceFailureKind.Unreachable });
        Assert.Equal("connect fencer", failure.Step);
        Assert.True(stopwatch.Elapsed < Step + TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        Assert.Equal(2, state.HighestToken); // admitted: the order was valid, the storage did not answer
    }
}
