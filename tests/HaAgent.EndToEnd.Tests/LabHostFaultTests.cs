using System.Diagnostics;
using HaAgent.Testing;
using HaAgent.Testing.Lab;
using Xunit.Abstractions;

namespace HaAgent.EndToEnd.Tests;

/// <summary>The lab's host faults do what the failover scenario relies on, and a lab leaves nothing behind.</summary>
[Collection(LabCollection.Name)]
public sealed class LabHostFaultTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task NetworkCutThenKill_VmOnH1_CutIsNotAFenceKillStopsEverythingDisposeLeavesNothing()
    {
        string id;
        string cgroup;
        string[] namespaces;
        var pids = new List<(int Pid, string Start)>();
        await using (var lab = await LabSession.StartAsync(output))
        {
            id = lab.Id;
            var h1 = lab.Host("h1");
            cgroup = h1.Cgroup.Path;
            namespaces = [lab.StorageNamespace, .. lab.Hosts.Select(h => h.Namespace)];
            var vm = await h1.StartVmAsync(lab.DefineVm("vm1"));
            Assert.Equal(VmWriteOutcome.Acknowledged, (await vm.WriteAsync(1)).Outcome);
            Assert.Contains(vm.QemuPid!.Value, h1.Cgroup.Pids()); // QEMU was born inside the host's cgroup
            pids.AddRange(lab.Hosts.SelectMany(h => h.Cgroup.Pids()).Concat(lab.Ceph.DaemonPids).Select(pid => (pid, StartTime(pid))));

            // A cut host's write waits in librbd and lands once the link is back: cutting is not fencing.
            await h1.CutNetworkAsync();
            var cut = await vm.WriteAsync(2, TimeSpan.FromSeconds(2));
            output.WriteLine($"during the cut: {cut}");
            Assert.Equal(VmWriteOutcome.NoAnswer, cut.Outcome);
            Assert.DoesNotContain(2, (await lab.ReadImageAsync("vm1")).Landed);
            await h1.RestoreNetworkAsync();
            var healed = Stopwatch.StartNew();
            ImageReadBack image;
            do
            {
                await Task.Delay(200);
                image = await lab.ReadImageAsync("vm1");
            }
            while (!image.Landed.Contains(2) && healed.Elapsed < TimeSpan.FromSeconds(40));
            output.WriteLine($"{healed.Elapsed.TotalSeconds:F1} s after the link came back: {image}");
            Assert.Equal([1, 2], image.Landed);

            var qemu = vm.QemuPid!.Value;
            var killed = Stopwatch.StartNew();
            h1.Kill();
            output.WriteLine($"kill -9 of h1 (libvirtd {h1.LibvirtdPid}, QEMU {qemu}) done in {killed.Elapsed.TotalMilliseconds:F0} ms");
            Assert.False(ProcessKiller.IsAlive(qemu));
            Assert.False(ProcessKiller.IsAlive(h1.LibvirtdPid!.Value));
            Assert.Empty(h1.Cgroup.Pids());
            Assert.Equal(VmWriteOutcome.NoAnswer, (await vm.WriteAsync(3, TimeSpan.FromSeconds(2))).Outcome);
            Assert.Equal([1, 2], (await lab.ReadImageAsync("vm1")).Landed);
        }

        // Compared with the start time: PIDs are recycled fast on a busy 2-core box (threads draw from the same space).
        Assert.All(pids, p => Assert.False(IsRunning(p.Pid) && StartTime(p.Pid) == p.Start, $"pid {p.Pid} outlived the lab: {Describe(p.Pid)}"));
        Assert.False(Directory.Exists(cgroup));
        Assert.False(Directory.Exists(Path.GetDirectoryName(cgroup)));
        var netns = await ProcessRunner.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        Assert.All(namespaces, ns => Assert.DoesNotContain(ns, netns.StandardOutput, StringComparison.Ordinal));
        var links = await ProcessRunner.RunAsync("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(LabNetwork.BridgeName(id), links.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task SweepOrphans_OwnerProcessDied_LabsProcessesNamespacesAndCgroupGo()
    {
        await using var lab = await LabSession.StartAsync(output, hosts: 1);
        var vm = await lab.Host("h1").StartVmAsync(lab.DefineVm("vm1"));
        var pids = new List<int>(lab.Ceph.DaemonPids) { vm.QemuPid!.Value, lab.Host("h1").LibvirtdPid!.Value };

        // The lab now belongs to a process that is gone, as after a test run killed mid-way.
        using (var gone = Process.Start("true")!)
        {
            gone.WaitForExit();
            var owner = Directory.GetFiles(lab.Directory, "lab.owner").Single();
            File.WriteAllText(owner, $"{gone.Id} {lab.Id}\n");
        }
        var swept = LabSweeper.SweepOrphans();

        Assert.Contains(lab.Id, swept);
        Assert.All(pids, pid => Assert.False(ProcessKiller.IsAlive(pid), $"pid {pid} survived the sweep"));
        Assert.False(Directory.Exists(lab.Directory));
        var netns = await ProcessRunner.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(LabNetwork.NamespacePrefix(lab.Id), netns.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// Alive and not exiting. A PID namespace's init killed with its namespace stays in state S with PF_EXITING until the
    /// machine's init reaps what it waits for (lazily here): it runs no code and holds nothing.
    /// </summary>
    private static bool IsRunning(int pid)
    {
        if (!ProcessKiller.IsAlive(pid))
        {
            return false;
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var flags = ulong.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[6], System.Globalization.CultureInfo.InvariantCulture);
            const ulong PfExiting = 0x4;
            return (flags & PfExiting) == 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in ticks since boot), "" when the process is gone.</summary>
    private static string StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string Describe(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat") + " | " + File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "gone";
        }
    }
}
