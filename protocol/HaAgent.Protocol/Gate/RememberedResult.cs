using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Gate;

/// <summary>An order the agent finished, and the id of the result it reported (so a retry gets the same answer).</summary>
public sealed record RememberedResult(OrderStamp Stamp, string OrderId, string ResultId);
