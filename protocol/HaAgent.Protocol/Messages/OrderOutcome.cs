using System.Text.Json.Serialization;

namespace HaAgent.Protocol.Messages;

[JsonConverter(typeof(StrictEnumConverter<OrderOutcome>))]
public enum OrderOutcome
{
    Succeeded = 1,
    Failed = 2,

    /// <summary>Refused by the agent's gate (stale stamp, self-fenced); nothing was done.</summary>
    Refused = 3,
}
