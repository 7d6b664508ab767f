namespace HaAgent.Agent.Link;

/// <summary>The HTTP surface of TRANSPORT.md, in one place.</summary>
internal static class LinkPaths
{
    internal const string Messages = "v1/agent/messages";
    internal const string Orders = "v1/agent/orders";
    internal const string FrameContentType = "application/x-haagent-frame";
    internal const string LeaderHeader = "HaAgent-Leader";
}
