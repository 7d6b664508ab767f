using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

/// <summary>The stable lower-case names used in audit text and golden logs.</summary>
internal static class StateNames
{
    public static string Name(HostState state) => state switch
    {
        HostState.Healthy => "healthy",
        HostState.Suspect => "suspect",
        HostState.Isolated => "isolated",
        HostState.Dead => "dead",
        HostState.Fencing => "fencing",
        HostState.FenceFailed => "fence-failed",
        HostState.Fenced => "fenced",
        HostState.SelfFenced => "self-fenced",
        HostState.Returning => "returning",
        HostState.Unfencing => "unfencing",
        HostState.Maintenance => "maintenance",
        _ => state.ToString(),
    };
}
