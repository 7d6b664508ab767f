using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Engine;

/// <summary>
/// An order sent to an agent and not answered yet: how to turn its OrderResult back into the core's observation.
/// <see cref="CoreId"/> is the core's fence or unfence id; <see cref="Subject"/> the victim host or the VM.
/// </summary>
internal sealed record InFlightOrder(InFlightKind Kind, string HostId, OrderStamp Stamp, string CoreId, string Subject, DateTimeOffset SentAt);
