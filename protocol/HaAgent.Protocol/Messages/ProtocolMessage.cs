using System.Text.Json.Serialization;

namespace HaAgent.Protocol.Messages;

/// <summary>
/// Every body the protocol carries. The JSON discriminator <c>type</c> names the concrete message; the protocol
/// version travels in the signed frame header, so a body never needs to be parsed to learn it.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(HelloMessage), "hello")]
[JsonDerivedType(typeof(HeartbeatMessage), "heartbeat")]
[JsonDerivedType(typeof(VmReportMessage), "vm-report")]
[JsonDerivedType(typeof(OrderResultMessage), "order-result")]
[JsonDerivedType(typeof(SelfFenceReportMessage), "self-fence-report")]
[JsonDerivedType(typeof(OrderPollMessage), "order-poll")]
[JsonDerivedType(typeof(VmDefinitionMessage), "vm-definition")]
[JsonDerivedType(typeof(FenceOrder), "fence")]
[JsonDerivedType(typeof(UnfenceOrder), "unfence")]
[JsonDerivedType(typeof(StartVmOrder), "start-vm")]
[JsonDerivedType(typeof(StopVmOrder), "stop-vm")]
[JsonDerivedType(typeof(HeartbeatAck), "heartbeat-ack")]
public abstract record ProtocolMessage
{
    /// <summary>Which way this message may travel; a frame of the other direction is refused.</summary>
    [JsonIgnore]
    public abstract ProtocolDirection Direction { get; }
}
