using HaAgent.Ctl.Nagios;

namespace HaAgent.Ctl.Checks;

/// <summary>What <c>haagentctl check cluster</c> was asked to look at.</summary>
internal sealed record ClusterCheckOptions(
    Uri Url,
    string? Token,
    TimeSpan Timeout,
    NagiosRange? MaintenanceWarning,
    NagiosRange? MaintenanceCritical,
    NagiosRange? UnprotectedWarning,
    NagiosRange? UnprotectedCritical,
    NagiosRange? HostsWarning,
    NagiosRange? HostsCritical,
    NagiosRange? FailedWarning,
    NagiosRange? FailedCritical,
    CoordinatorTrust? Trust = null);
