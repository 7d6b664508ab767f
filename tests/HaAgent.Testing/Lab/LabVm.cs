using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Testing.Lab;

/// <summary>
/// A running lab VM. It has no guest OS: the writer is QEMU itself, driven through HMP qemu-io, which writes through
/// QEMU's block layer and its own librbd client — exactly the process a fence must stop.
/// </summary>
public sealed class LabVm
{
    internal LabVm(LabHost host, LabVmDefinition definition)
    {
        Host = host;
        Definition = definition;
    }

    public LabHost Host { get; }

    public LabVmDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>QEMU's PID (root namespace) from libvirt's pid file, or null when it has none or QEMU is gone.</summary>
    public int? QemuPid
    {
        get
        {
            try
            {
                return Host.OuterPid(int.Parse(File.ReadAllText(Path.Combine(Host.QemuPidDirectory, Name + ".pid")).Trim(), CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is IOException or FormatException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Issues write <paramref name="sequence"/> (see <see cref="WritePattern"/>) and waits, bounded, for QEMU's verdict
    /// in the domain log (HMP returns an empty answer either way). A frozen or dead host gives NoAnswer.
    /// </summary>
    public async Task<VmWriteResult> WriteAsync(int sequence, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var bound = timeout ?? TimeSpan.FromSeconds(5);
        var log = Host.DomainLog(Name);
        var logStart = File.Exists(log) ? new FileInfo(log).Length : 0;
        var started = Stopwatch.StartNew();
        var command = $"qemu-io -d {LabVmDefinition.DiskQomPath} \"{WritePattern.QemuIoCommand(sequence)}\"";
        try
        {
            var result = await Host.VirshAsync(["qemu-monitor-command", "--hmp", Name, command], bound, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                return Result(VmWriteOutcome.NoAnswer, "virsh: " + result.StandardError.Trim());
            }
        }
        catch (TimeoutException)
        {
            return Result(VmWriteOutcome.NoAnswer, $"no monitor answer within {bound.TotalSeconds:F1} s");
        }
        var offset = WritePattern.Offset(sequence).ToString(CultureInfo.InvariantCulture);
        while (started.Elapsed < bound)
        {
            var added = ReadFrom(log, logStart);
            foreach (var line in added.Split('\n'))
            {
                if (line.StartsWith("wrote ", StringComparison.Ordinal) && line.EndsWith("at offset " + offset, StringComparison.Ordinal))
                {
                    return Result(VmWriteOutcome.Acknowledged, line.Trim());
                }
                if (line.StartsWith("write failed", StringComparison.Ordinal))
                {
                    return Result(VmWriteOutcome.Failed, line.Trim());
                }
            }
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
        return Result(VmWriteOutcome.NoAnswer, "no verdict in the domain log");

        VmWriteResult Result(VmWriteOutcome outcome, string detail) => new(Host.Name, Name, sequence, outcome, detail, started.Elapsed);
    }

    /// <summary>virsh destroy (hard stop), bounded; false when libvirt refused or did not answer.</summary>
    public async Task<bool> DestroyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return (await Host.VirshAsync(["destroy", Name], TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)).ExitCode == 0;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static string ReadFrom(string path, long start)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length <= start)
            {
                return "";
            }
            stream.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public override string ToString() => $"{Name}@{Host.Name}";
}
