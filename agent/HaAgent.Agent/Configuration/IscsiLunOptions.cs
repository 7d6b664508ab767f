namespace HaAgent.Agent.Configuration;

internal sealed class IscsiLunOptions
{
    public string Portal { get; set; } = "";

    public string TargetIqn { get; set; } = "";

    public int Lun { get; set; } = 1;
}
