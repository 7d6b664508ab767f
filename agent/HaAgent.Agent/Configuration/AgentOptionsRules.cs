using Microsoft.Extensions.Options;

namespace HaAgent.Agent.Configuration;

/// <summary>
/// Checks data annotations cannot express: time spans, URIs, keys, files that must exist, and how intervals relate.
/// Each failure names the configuration key as written in agent.json ("Intervals:SelfFenceTimeout").
/// </summary>
internal sealed class AgentOptionsRules : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        CheckEndpoints(options, failures);
        CheckCoordinatorLink(options.Coordinator, failures);
        CoordinatorTlsRules.Check(options, failures);
        CheckIntervals(options.Intervals, failures);
        Positive(failures, "Libvirt:OpenTimeout", options.Libvirt.OpenTimeout, TimeSpan.FromHours(1));
        if (options.Ceph is { } ceph)
        {
            FileExists(failures, "Ceph:ConfigFile", ceph.ConfigFile);
            FileExists(failures, "Ceph:Keyring", ceph.Keyring);
            FileExists(failures, "Ceph:FencerKeyring", ceph.FencerKeyring);
            Positive(failures, "Ceph:OperationTimeout", ceph.OperationTimeout, TimeSpan.FromMinutes(10));
            if (ceph.BlocklistExpiry < TimeSpan.FromDays(1))
            {
                failures.Add($"Ceph:BlocklistExpiry is {ceph.BlocklistExpiry}: an entry that expires lets a living fenced client write again; use at least a day (default 5 years)");
            }
        }
        if (options.Iscsi is { } iscsi)
        {
            if (!AgentLimits.TryParseReservationKey(iscsi.ReservationKey, out _))
            {
                failures.Add($"Iscsi:ReservationKey '{iscsi.ReservationKey}' is not a non-zero 64-bit key (hex 0x... or decimal)");
            }
            if (iscsi.Portals.Count == 0)
            {
                failures.Add("Iscsi:Portals is empty: give at least one IP:PORT");
            }
            for (var i = 0; i < iscsi.Portals.Count; i++)
            {
                if (!IsPortal(iscsi.Portals[i]))
                {
                    failures.Add($"Iscsi:Portals:{i} '{iscsi.Portals[i]}' is not IP:PORT");
                }
            }
            if (iscsi.HeartbeatLun is { } lun && !IsPortal(lun.Portal))
            {
                failures.Add($"Iscsi:HeartbeatLun:Portal '{lun.Portal}' is not IP:PORT");
            }
            if (!Enum.IsDefined(iscsi.ReservationType)
                || iscsi.ReservationType is not (NativeInterop.Iscsi.PersistentReservationType.WriteExclusiveRegistrantsOnly
                    or NativeInterop.Iscsi.PersistentReservationType.ExclusiveAccessRegistrantsOnly))
            {
                failures.Add($"Iscsi:ReservationType {iscsi.ReservationType}: only the registrants-only types shut a preempted host out");
            }
            Positive(failures, "Iscsi:CommandTimeout", iscsi.CommandTimeout, TimeSpan.FromMinutes(5));
        }
        CheckWatchdog(options, failures);
        MemoryAgentOptionsRules.Check(options.Memory, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckEndpoints(AgentOptions options, List<string> failures)
    {
        if (options.CoordinatorEndpoints.Count == 0)
        {
            failures.Add("CoordinatorEndpoints is empty: give at least one coordinator URI");
        }
        for (var i = 0; i < options.CoordinatorEndpoints.Count; i++)
        {
            var text = options.CoordinatorEndpoints[i];
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                failures.Add($"CoordinatorEndpoints:{i} '{text}' is not an absolute http(s) URI");
            }
        }
    }

    private static void CheckCoordinatorLink(CoordinatorLinkOptions link, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(link.SecretFile))
        {
            failures.Add("Coordinator:SecretFile is required: the file with this host's shared secret");
        }
        else if (!HaAgent.Protocol.Envelope.HostSecretFiles.TryRead(link.SecretFile, out _, out var problem))
        {
            failures.Add($"Coordinator:SecretFile {problem}");
        }
        Positive(failures, "Coordinator:ConnectTimeout", link.ConnectTimeout, TimeSpan.FromMinutes(1));
        Positive(failures, "Coordinator:RequestTimeout", link.RequestTimeout, TimeSpan.FromMinutes(5));
        Positive(failures, "Coordinator:PollTimeout", link.PollTimeout, TimeSpan.FromMinutes(10));
        Positive(failures, "Coordinator:ReportInterval", link.ReportInterval, TimeSpan.FromHours(1));
        Positive(failures, "Coordinator:RetryDelay", link.RetryDelay, TimeSpan.FromMinutes(1));
        if (link.ReportCoalesce < TimeSpan.Zero || link.ReportCoalesce > TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"Coordinator:ReportCoalesce is {link.ReportCoalesce}; must be between 0 and 0.5 s (a VM change must reach the coordinator within 1 s)");
        }
        if (link.PollTimeout <= link.RequestTimeout)
        {
            failures.Add($"Coordinator:PollTimeout {link.PollTimeout} must exceed Coordinator:RequestTimeout ({link.RequestTimeout}): a long poll waits for orders");
        }
    }

    private static void CheckIntervals(AgentIntervals intervals, List<string> failures)
    {
        Positive(failures, "Intervals:Heartbeat", intervals.Heartbeat, TimeSpan.FromMinutes(1));
        Positive(failures, "Intervals:SelfFenceTimeout", intervals.SelfFenceTimeout, TimeSpan.FromHours(1));
        Positive(failures, "Intervals:SelfFenceKillGrace", intervals.SelfFenceKillGrace, TimeSpan.FromMinutes(5));
        Positive(failures, "Intervals:Reconcile", intervals.Reconcile, TimeSpan.FromHours(1));
        Positive(failures, "Intervals:FenceStepTimeout", intervals.FenceStepTimeout, TimeSpan.FromMinutes(10));
        Positive(failures, "Intervals:VmProbe", intervals.VmProbe, TimeSpan.FromMinutes(1));
        if (intervals.MemoryLog is { } memoryLog)
        {
            Positive(failures, "Intervals:MemoryLog", memoryLog, TimeSpan.FromDays(1));
        }
        if (intervals.MonitorProbe < TimeSpan.Zero || intervals.MonitorProbe > TimeSpan.FromHours(1))
        {
            failures.Add($"Intervals:MonitorProbe is {intervals.MonitorProbe}; must be between 0 (off) and 1 h");
        }
        else if (intervals.MonitorProbe > TimeSpan.Zero && intervals.MonitorProbe < intervals.VmProbe)
        {
            failures.Add($"Intervals:MonitorProbe {intervals.MonitorProbe} must be 0 (off) or at least Intervals:VmProbe ({intervals.VmProbe}): monitor probes run on the probe tick");
        }
        if (intervals.VmProbe > TimeSpan.Zero && intervals.Reconcile < intervals.VmProbe)
        {
            failures.Add($"Intervals:Reconcile {intervals.Reconcile} must be at least Intervals:VmProbe ({intervals.VmProbe})");
        }
        if (intervals.Heartbeat > TimeSpan.Zero && intervals.SelfFenceTimeout < 3 * intervals.Heartbeat)
        {
            failures.Add($"Intervals:SelfFenceTimeout {intervals.SelfFenceTimeout} must be at least 3 x Intervals:Heartbeat ({intervals.Heartbeat})");
        }
    }

    private static void CheckWatchdog(AgentOptions options, List<string> failures)
    {
        var watchdog = options.Watchdog;
        switch (watchdog.Kind)
        {
            case "none":
                return;
            case "device" or "file":
                break;
            default:
                failures.Add($"Watchdog:Kind '{watchdog.Kind}' is not one of none, device, file");
                return;
        }
        if (string.IsNullOrWhiteSpace(watchdog.Path))
        {
            failures.Add("Watchdog:Path is required when Watchdog:Kind is not none");
        }
        Positive(failures, "Watchdog:Timeout", watchdog.Timeout, TimeSpan.FromHours(1));
        Positive(failures, "Watchdog:KickInterval", watchdog.KickInterval, TimeSpan.FromMinutes(10));
        if (watchdog.KickInterval * 2 > watchdog.Timeout)
        {
            failures.Add($"Watchdog:KickInterval {watchdog.KickInterval} must be at most half of Watchdog:Timeout ({watchdog.Timeout})");
        }
        if (watchdog.Timeout <= options.Intervals.SelfFenceTimeout)
        {
            failures.Add($"Watchdog:Timeout {watchdog.Timeout} must exceed Intervals:SelfFenceTimeout ({options.Intervals.SelfFenceTimeout}): the agent fences its VMs before the host resets");
        }
    }

    private static void Positive(List<string> failures, string key, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            failures.Add($"{key} is {value}; must be positive and at most {max}");
        }
    }

    private static void FileExists(List<string> failures, string key, string path)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
        {
            failures.Add($"{key} '{path}' does not exist");
        }
    }

    private static bool IsPortal(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0
            && ushort.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port > 0
            && System.Net.IPAddress.TryParse(text.AsSpan(0, colon).Trim('[').Trim(']'), out _);
    }
}
