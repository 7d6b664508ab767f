namespace HaAgent.Core.Model;

/// <summary>The levels at which hosts fail together, from the smallest to the largest.</summary>
public enum FailureDomainLevel
{
    Host,
    Rack,
    Power,
    Zone,
}
