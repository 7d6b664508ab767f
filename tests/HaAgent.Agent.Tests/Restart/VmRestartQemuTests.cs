using System.Diagnostics;
using System.Globalization;
using HaAgent.Agent.Restart;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing.Libvirt;
using HaAgent.Testing;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Restart;

/// <summary>
/// Real QEMU under a private libvirtd. Two "hosts" are two domains with different names and UUIDs on the SAME qcow2
/// image: QEMU's image write lock is what refuses the second writer, and the executor must say so as ImageLocked.
/// </summary>
public sealed class VmRestartQemuTests(LibvirtQemuSessionFixture fixture, ITestOutputHelper output) : IClassFixture<LibvirtQemuSessionFixture>, IDisposable
{
    private readonly TempDirectory _images = new("agent-restart-img");
    private readonly string _prefix = $"ha-{Guid.NewGuid():N}"[..11];

    public void Dispose() => _images.Dispose();

    [SkippableFact]
    public async Task Start_SecondVmOnSameImage_ImageLockedUntilFirstStopped()
    {
        using var rig = await StartAsync(killGrace: TimeSpan.FromSeconds(2));
        var (session, harness, control, image, _) = rig;
        var hostA = Command("a1", 3, "host-a", image);
        var hostB = Command("b1", 3, "host-b", image);
        var started = await harness.Starter.ExecuteAsync(hostA);
        Print(started.VmName, started.Succeeded, started.Failure, started.Elapsed, started.Steps);
        Assert.True(started.Succeeded, started.Failure?.ToString());
        var pidA = Assert.IsType<int>(started.QemuPid);
        Assert.True(ProcessKiller.IsAlive(pidA));
        Assert.Equal(pidA, session.QemuPid(hostA.VmName));

        var refused = await harness.Starter.ExecuteAsync(hostB);
        Print(refused.VmName, refused.Succeeded, refused.Failure, refused.Elapsed, refused.Steps);
        Assert.Equal(VmOrderFailureKind.ImageLocked, refused.Failure?.Kind);
        Assert.Contains(image, refused.Failure!.Detail, StringComparison.Ordinal);
        Assert.True(refused.CleanedUp);
        Assert.DoesNotContain(control.ListAllDomains(), d => d.Name == hostB.VmName);
        Assert.True(ProcessKiller.IsAlive(pidA), "the first writer must be untouched");

        var stop = await harness.Stopper.ExecuteAsync(new StopCommand("a-stop", 4, hostA.VmName, hostA.VmUuid));
        Print(stop.VmName, stop.Succeeded, stop.Failure, stop.Elapsed, stop.Steps);
        Assert.True(stop.Succeeded, stop.Failure?.ToString());
        Assert.True(stop.WasRunning);
        Assert.False(ProcessKiller.IsAlive(pidA), $"QEMU {pidA} still alive");

        var retried = await harness.Starter.ExecuteAsync(hostB with { CommandId = "b2", Token = 4 });
        Print(retried.VmName, retried.Succeeded, retried.Failure, retried.Elapsed, retried.Steps);
        Assert.True(retried.Succeeded, retried.Failure?.ToString());
        Assert.True(ProcessKiller.IsAlive(retried.QemuPid!.Value));
    }

    [SkippableFact]
    public async Task Start_ImageLockedOnVmAlreadyDefinedHere_OldDefinitionRestored()
    {
        using var rig = await StartAsync(killGrace: TimeSpan.FromSeconds(2));
        var (_, harness, control, image, _) = rig;
        var holder = Command("h1", 2, "holder", image);
        var second = Command("s1", 2, "second", image);
        Assert.True((await harness.Starter.ExecuteAsync(holder)).Succeeded);
        var oldXml = second.DomainXml.Replace("<memory unit=\"MiB\">32</memory>", "<memory unit=\"MiB\">48</memory>", StringComparison.Ordinal);
        using (control.DefineXml(oldXml))
        {
        }

        var refused = await harness.Starter.ExecuteAsync(second);
        Print(refused.VmName, refused.Succeeded, refused.Failure, refused.Elapsed, refused.Steps);

        Assert.Equal(VmOrderFailureKind.ImageLocked, refused.Failure?.Kind);
        Assert.True(refused.CleanedUp);
        using var kept = control.LookupByName(second.VmName);
        Assert.Equal(DomainState.ShutOff, kept.GetState().State);
        Assert.Contains("<memory unit='KiB'>49152</memory>", kept.GetXml(inactive: true), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Stop_FrozenQemu_KilledThroughPidfdAfterGrace()
    {
        using var rig = await StartAsync(killGrace: TimeSpan.FromSeconds(1));
        var (_, harness, _, image, _) = rig;
        var command = Command("f1", 1, "frozen", image);
        var started = await harness.Starter.ExecuteAsync(command);
        Assert.True(started.Succeeded, started.Failure?.ToString());
        var pid = started.QemuPid!.Value;
        (await ProcessRunner.RunAsync("kill", ["-STOP", pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5))).EnsureSuccess("kill -STOP");

        var stopwatch = Stopwatch.StartNew();
        var stop = await harness.Stopper.ExecuteAsync(new StopCommand("f-stop", 1, command.VmName, command.VmUuid));
        Print(stop.VmName, stop.Succeeded, stop.Failure, stop.Elapsed, stop.Steps);

        Assert.True(stop.Succeeded, stop.Failure?.ToString());
        Assert.True(stop.Killed, "a SIGSTOPped QEMU outlives the grace: SIGKILL through the pidfd must end it");
        Assert.False(ProcessKiller.IsAlive(pid));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"stop took {stopwatch.Elapsed}");
    }

    /// <summary>The start/stop executors on the session daemon's QEMU driver, a control connection and a fresh shared image.</summary>
    private async Task<QemuRig> StartAsync(TimeSpan killGrace)
    {
        var session = fixture.Require();
        Requires.Tools("qemu-utils", "qemu-img");
        var image = await CreateImageAsync();
        var harness = new RestartHarness(session.QemuUri,
            new VmOrderSettings("ha-", fixture.PidDirectory, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), killGrace));
        try
        {
            return new QemuRig(session, harness, await LibvirtConnection.OpenAsync(session.QemuUri, TimeSpan.FromSeconds(15)), image, _prefix);
        }
        catch
        {
            harness.Dispose();
            throw;
        }
    }

    private async Task<string> CreateImageAsync()
    {
        var image = _images.File("shared.qcow2");
        (await ProcessRunner.RunAsync("qemu-img", ["create", "-q", "-f", "qcow2", image, "16M"], TimeSpan.FromSeconds(20))).EnsureSuccess("qemu-img create");
        // The session libvirtd (and its QEMUs) run as nobody when the tests run as root.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_images.Path, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(image, (UnixFileMode)0b110_110_110);
        }
        return image;
    }

    private StartCommand Command(string id, long token, string suffix, string image)
    {
        var name = $"{_prefix}-{suffix}";
        var uuid = Guid.NewGuid();
        return new StartCommand(id, token, name, uuid, LibvirtSessionDaemon.QemuDomainXml(name, uuid, image), [image]);
    }

    private void Print(string vm, bool succeeded, VmOrderFailure? failure, TimeSpan elapsed, IReadOnlyList<VmStep> steps)
    {
        output.WriteLine($"{vm}: {(succeeded ? "ok" : failure!.ToString())} in {elapsed.TotalMilliseconds:F0} ms");
        foreach (var step in steps)
        {
            output.WriteLine("  " + step);
        }
    }

    /// <summary>What <see cref="StartAsync"/> gives a test; disposing removes the test's domains, then closes the rest.</summary>
    private sealed record QemuRig(LibvirtSessionDaemon Session, RestartHarness Harness, LibvirtConnection Control, string Image, string Prefix) : IDisposable
    {
        public void Dispose()
        {
            SessionQemuDomain.RemoveAll(Control, Prefix);
            Control.Dispose();
            Harness.Dispose();
        }
    }
}
