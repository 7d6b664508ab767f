using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Link;

internal sealed partial class AgentLink
{
    [LoggerMessage(EventId = AgentEventIds.HelloDelivered, Level = LogLevel.Information,
        Message = "Hello delivered (incarnation {Incarnation}) to {Endpoint}; {Addresses} Ceph address(es) advertised")]
    private partial void LogHelloDelivered(long incarnation, string endpoint, int addresses);

    [LoggerMessage(EventId = AgentEventIds.DefinitionUnreadable, Level = LogLevel.Warning, Message = "Definition of {Vm} not readable: {Error}")]
    private partial void LogDefinitionUnreadable(string vm, string error);

    [LoggerMessage(EventId = AgentEventIds.ResultUndelivered, Level = LogLevel.Warning, Message = "Result of order {OrderId} dropped: {Why}")]
    private partial void LogResultUndelivered(string orderId, string why);

    [LoggerMessage(EventId = AgentEventIds.OrderFrameRefused, Level = LogLevel.Error, Message = "Order frame refused, nothing executed: {Problem}")]
    private partial void LogOrderFrameRefused(string problem);

    [LoggerMessage(EventId = AgentEventIds.SelfFenceReported, Level = LogLevel.Warning, Message = "Self-fence of {At:o} reported to the coordinator ({Vms} VM(s))")]
    private partial void LogSelfFenceReported(DateTimeOffset at, int vms);

    [LoggerMessage(EventId = AgentEventIds.LinkLoopFailed, Level = LogLevel.Error, Message = "Coordinator link: the {Loop} loop failed and restarts")]
    private partial void LogLoopFailed(string loop, Exception error);
}
