using System.Diagnostics;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.State;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.Agent.Tests.Vms;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing.Libvirt;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.SelfFence;

/// <summary>Self-fence against real QEMU processes under a private libvirtd, one of them frozen with SIGSTOP.</summary>
public sealed class SelfFenceQemuTests(LibvirtQemuSessionFixture fixture, ITestOutputHelper output) : IClassFixture<LibvirtQemuSessionFixture>, IDisposable
{
    private readonly TempDirectory _directory = new("agent-selffence");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Execute_RunningAndFrozenQemu_BothDeadFrozenOneByPidfdSigkill()
    {
        var session = fixture.Require();
        var prefix = $"ha-{Guid.NewGuid():N}"[..10];
        await using var harness = await VmWatcherHarness.StartAsync(session.QemuUri, prefix, fixture.PidDirectory, output);
        using var control = await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15));
        var names = new[] { prefix + "-run", prefix + "-frz" };
        var domains = names.Select(n => control.DefineXml(LibvirtSessionDaemon.QemuDomainXml(n, Guid.NewGuid()))).ToArray();
        try
        {
            foreach (var domain in domains)
            {
                domain.Create();
            }
            var pids = new Dictionary<string, int>();
            while (pids.Count < 2)
            {
                var change = await harness.WaitForAsync(c => c.Current == VmStatus.Running && c.QemuPid is not null, TimeSpan.FromSeconds(10));
                pids[change.Name] = change.QemuPid!.Value;
            }
            (await ProcessRunner.RunAsync("kill", ["-STOP", pids[names[1]].ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5))).EnsureSuccess("kill -STOP");
            await harness.WaitForAsync(c => c.Name == names[1] && c.Current == VmStatus.Hung, TimeSpan.FromSeconds(2));

            var state = new AgentStateStore(_directory.File("state.json"));
            var fencer = new SelfFencer(harness.Watcher, state, 42, TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<SelfFencer>.Instance);
            var stopwatch = Stopwatch.StartNew();
            var record = await fencer.ExecuteAsync("test: coordinator lost", CancellationToken.None);
            output.WriteLine($"self-fence took {stopwatch.Elapsed.TotalMilliseconds:F0} ms: stopped [{string.Join(",", record.StoppedVms)}] killed [{string.Join(",", record.Killed)}] failed [{string.Join(",", record.Failed)}]");

            Assert.Empty(record.Failed);
            Assert.Equal(names.Order(), record.StoppedVms.Order());
            Assert.Contains(names[1], record.Killed);
            Assert.All(pids.Values, pid => Assert.False(ProcessKiller.IsAlive(pid), $"QEMU {pid} still alive"));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"self-fence took {stopwatch.Elapsed}");
            var persisted = Assert.Single(new AgentStateStore(_directory.File("state.json")).Current.PendingSelfFences);
            Assert.Equal(42, persisted.Incarnation);
            Assert.Equal(record.StoppedVms, persisted.StoppedVms);
        }
        finally
        {
            foreach (var domain in domains)
            {
                try
                {
                    if (domain.GetState().State != DomainState.ShutOff)
                    {
                        domain.Destroy();
                    }
                    domain.Undefine();
                }
                catch (LibvirtException)
                {
                }
                domain.Dispose();
            }
        }
    }
}
