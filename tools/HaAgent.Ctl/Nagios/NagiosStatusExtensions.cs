namespace HaAgent.Ctl.Nagios;

internal static class NagiosStatusExtensions
{
    public static string Label(this NagiosStatus status) => status switch
    {
        NagiosStatus.Ok => "OK",
        NagiosStatus.Warning => "WARNING",
        NagiosStatus.Critical => "CRITICAL",
        _ => "UNKNOWN",
    };

    /// <summary>
    /// The worse of two states, ordered as the monitoring-plugins library's max_state does: CRITICAL, WARNING,
    /// UNKNOWN, OK. A known problem outranks a part that could not be determined.
    /// </summary>
    public static NagiosStatus Worst(this NagiosStatus a, NagiosStatus b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(NagiosStatus status) => status switch
    {
        NagiosStatus.Critical => 3,
        NagiosStatus.Warning => 2,
        NagiosStatus.Unknown => 1,
        _ => 0,
    };
}
