using System.ComponentModel.DataAnnotations;

namespace HaAgent.Agent.Configuration;

internal sealed class IscsiLunOptions
{
    [Required]
    public string Portal { get; set; } = "";

    [Required]
    [RegularExpression(AgentLimits.IqnPattern)]
    public string TargetIqn { get; set; } = "";

    [Range(0, 16383)]
    public int Lun { get; set; } = 1;
}
