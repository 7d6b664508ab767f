namespace HaAgent.Core.Model;

/// <summary>A hard rule is never broken (the VM stays down instead); a soft rule is kept when possible.</summary>
public enum RuleStrength
{
    Hard,
    Soft,
}
