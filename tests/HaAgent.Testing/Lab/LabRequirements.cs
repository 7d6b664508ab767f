using HaAgent.Testing.Ceph;

namespace HaAgent.Testing.Lab;

/// <summary>What a <see cref="Lab"/> needs; <see cref="Check"/> throws a skip naming the first thing missing.</summary>
public static class LabRequirements
{
    public const string Packages = "iproute2 util-linux libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-block-extra ceph-mon ceph-osd ceph-common";

    public static readonly string[] Commands = ["ip", "unshare", "mount", "libvirtd", "virsh", "qemu-system-x86_64", "rbd", .. CephCluster.Commands];

    /// <summary>QEMU's RBD block driver (Debian: qemu-block-extra).</summary>
    public const string QemuRbdModule = "/usr/lib/x86_64-linux-gnu/qemu/block-rbd.so";

    /// <summary>Null when a lab can start here, else why not.</summary>
    public static string? Missing()
    {
        try
        {
            Check();
            return null;
        }
        catch (Xunit.SkipException ex)
        {
            return ex.Message;
        }
    }

    public static void Check()
    {
        Requires.Root();
        Requires.Tools(Packages, Commands);
        if (!File.Exists(QemuRbdModule) && !File.Exists("/usr/lib64/qemu/block-rbd.so"))
        {
            throw new Xunit.SkipException($"needs QEMU's rbd block driver {QemuRbdModule} (apt-get install qemu-block-extra)");
        }
        if (LabCgroup.FindRoot() is not { } cgroupRoot || !File.Exists(Path.Combine(cgroupRoot, "cgroup.procs")))
        {
            throw new Xunit.SkipException("needs a cgroup v2 mount (freeze and kill of a lab host)");
        }
        var probe = $"haagent-probe-{Environment.ProcessId}";
        var add = ProcessRunner.RunAsync("ip", ["netns", "add", probe], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        ProcessRunner.RunAsync("ip", ["netns", "del", probe], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        if (add.ExitCode != 0)
        {
            throw new Xunit.SkipException($"cannot create network namespaces here: {add.StandardError.Trim()}");
        }
    }
}
