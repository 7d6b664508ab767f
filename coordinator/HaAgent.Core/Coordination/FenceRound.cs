using HaAgent.Core.Env;
using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

/// <summary>Up to N attempts to fence one victim, each through a different healthy peer.</summary>
internal sealed class FenceRound(HostState verdict, string verdictEvidence, IReadOnlyList<FenceTarget> targets)
{
    public HostState Verdict { get; } = verdict;
    public string VerdictEvidence { get; } = verdictEvidence;
    public IReadOnlyList<FenceTarget> Targets { get; } = targets;
    public int Attempts { get; set; }
    public List<string> TriedPeers { get; } = [];
    public List<string> Failures { get; } = [];
    public FenceAttempt? Current { get; set; }
}
