using System.Diagnostics;
using HaAgent.Agent.DBus;
using HaAgent.Testing;
using HaAgent.Testing.DBus;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.DBus;

/// <summary>VM → QEMU leader PID and scope through a stand-in machined on a real private dbus-daemon.</summary>
public sealed class MachinedClientTests(DBusDaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DBusDaemonFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [SkippableFact]
    public async Task TryGetVmProcess_VmRegisteredByLibvirt_ReturnsLeaderPidAndScope()
    {
        var bus = fixture.Require();
        using var machined = await FakeSystemBusServices.StartAsync(bus.Address, systemd: false);
        machined.AddMachine("qemu-7-other", 1111, @"machine-qemu\x2d7\x2dother.scope");
        machined.AddMachine("qemu-3-vm1", 4242, @"machine-qemu\x2d3\x2dvm1.scope");
        using var client = NewClient(bus.Address, out _);

        var lookup = await LookupAsync(client, "vm1");

        Assert.Equal(VmProcessLookupStatus.Found, lookup.Status);
        Assert.Equal("qemu-3-vm1", lookup.MachineName);
        Assert.Equal(4242, lookup.LeaderPid);
        Assert.Equal(@"machine-qemu\x2d3\x2dvm1.scope", lookup.Scope);
        Assert.Equal("vm", lookup.Class);
        Assert.Equal("libvirt-qemu", lookup.Service);
    }

    [SkippableFact]
    public async Task TryGetVmProcess_UnknownVm_NotFound()
    {
        var bus = fixture.Require();
        using var machined = await MachinedWithVm1Async(bus.Address);
        using var client = NewClient(bus.Address, out _);

        var lookup = await LookupAsync(client, "vm10");

        Assert.Equal(VmProcessLookupStatus.NotFound, lookup.Status);
        Assert.Equal(0, lookup.LeaderPid);
    }

    [SkippableFact]
    public async Task TryGetVmProcess_MachinedAbsent_UnavailableLoggedOnceThenFoundWhenItAppears()
    {
        var bus = fixture.Require();
        using var client = NewClient(bus.Address, out var logger);

        for (var i = 0; i < 3; i++)
        {
            var lookup = await LookupAsync(client, "vm1");
            Assert.Equal(VmProcessLookupStatus.Unavailable, lookup.Status);
            Assert.Equal("org.freedesktop.machine1 is not on the bus", lookup.Reason);
        }
        Assert.Single(logger.Entries, e => e.EventId == AgentEventIds.MachinedUnavailable);

        using var machined = await FakeSystemBusServices.StartAsync(bus.Address, systemd: false);
        machined.AddMachine("qemu-1-vm1", 77, @"machine-qemu\x2d1\x2dvm1.scope");
        var found = await LookupAsync(client, "vm1");
        Assert.Equal(VmProcessLookupStatus.Found, found.Status);
        Assert.Equal(77, found.LeaderPid);
    }

    [SkippableFact]
    public async Task TryGetVmProcess_NoBus_UnavailableWithinBoundWithoutException()
    {
        Requires.Tools("dbus", "dbus-daemon");
        using var directory = new TempDirectory("nobus");
        using var client = NewClient(PrivateDBusDaemon.NonexistentAddress(directory), out _);

        var started = Stopwatch.GetTimestamp();
        var lookup = await LookupAsync(client, "vm1");
        output.WriteLine($"{lookup.Reason} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");

        Assert.Equal(VmProcessLookupStatus.Unavailable, lookup.Status);
        Assert.Contains("cannot connect to the bus", lookup.Reason, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task TryGetVmProcess_BusFrozen_UnavailableWithinCallTimeout()
    {
        using var bus = await PrivateDBusDaemon.StartAsync();
        using var machined = await MachinedWithVm1Async(bus.Address);
        using var client = NewClient(bus.Address, out _, TimeSpan.FromMilliseconds(500));
        Assert.Equal(VmProcessLookupStatus.Found, (await LookupAsync(client, "vm1")).Status);

        await bus.FreezeAsync();
        var started = Stopwatch.GetTimestamp();
        var lookup = await LookupAsync(client, "vm1");
        output.WriteLine($"frozen bus: {lookup.Reason} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");
        Assert.Equal(VmProcessLookupStatus.Unavailable, lookup.Status);
        Assert.Equal("no reply within 0.5 s", lookup.Reason);

        await bus.ThawAsync();
        Assert.Equal(VmProcessLookupStatus.Found, (await LookupAsync(client, "vm1")).Status);
    }

    [SkippableFact]
    public async Task TryGetVmProcess_BusRestarted_UnavailableWhileDownThenFoundOnNewConnection()
    {
        using var bus = await PrivateDBusDaemon.StartAsync();
        var machined = await MachinedWithVm1Async(bus.Address);
        using var client = NewClient(bus.Address, out _);
        Assert.Equal(VmProcessLookupStatus.Found, (await LookupAsync(client, "vm1")).Status);

        bus.Kill();
        machined.Dispose();
        var down = await LookupAsync(client, "vm1");
        output.WriteLine($"bus down: {down.Reason}");
        Assert.Equal(VmProcessLookupStatus.Unavailable, down.Status);

        await bus.RestartAsync();
        using var machinedAgain = await FakeSystemBusServices.StartAsync(bus.Address, systemd: false);
        machinedAgain.AddMachine("qemu-4-vm1", 5151, @"machine-qemu\x2d4\x2dvm1.scope");
        var found = await LookupAsync(client, "vm1");
        Assert.Equal(VmProcessLookupStatus.Found, found.Status);
        Assert.Equal(5151, found.LeaderPid);
    }

    [Theory]
    [InlineData("qemu-3-vm1", "vm1", true)]
    [InlineData("vm1", "vm1", true)]
    [InlineData("qemu-12-ha-web-1", "ha-web-1", true)]
    [InlineData("qemu-3-vm10", "vm1", false)]
    [InlineData("qemu-x-vm1", "vm1", false)]
    [InlineData("lxc-3-vm1", "vm1", false)]
    [InlineData("qemu--vm1", "vm1", false)]
    public void IsMachineOf_LibvirtMachineNames_MatchOnlyThatVm(string machine, string vm, bool expected) =>
        Assert.Equal(expected, MachinedClient.IsMachineOf(machine, vm));

    /// <summary>A stand-in machined (no systemd) that knows VM vm1 as libvirt registers it: qemu-3-vm1, leader 4242.</summary>
    private static async Task<FakeSystemBusServices> MachinedWithVm1Async(string address)
    {
        var machined = await FakeSystemBusServices.StartAsync(address, systemd: false);
        machined.AddMachine("qemu-3-vm1", 4242, @"machine-qemu\x2d3\x2dvm1.scope");
        return machined;
    }

    private static Task<VmProcessLookup> LookupAsync(MachinedClient client, string vm) =>
        client.TryGetVmProcessAsync(vm, CancellationToken.None).WaitAsync(Bound);

    private static MachinedClient NewClient(string address, out ListLogger<MachinedClient> logger, TimeSpan? callTimeout = null)
    {
        logger = new ListLogger<MachinedClient>();
        return new MachinedClient(new MachinedClientOptions { BusAddress = address, CallTimeout = callTimeout ?? TimeSpan.FromSeconds(2) },
            TimeProvider.System, logger);
    }
}
