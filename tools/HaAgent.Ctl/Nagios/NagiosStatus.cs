namespace HaAgent.Ctl.Nagios;

/// <summary>Nagios plugin exit codes (Monitoring Plugins Development Guidelines, "Plugin Return Codes").</summary>
internal enum NagiosStatus
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}
