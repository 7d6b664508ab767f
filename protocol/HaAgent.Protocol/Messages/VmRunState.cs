using System.Text.Json.Serialization;

namespace HaAgent.Protocol.Messages;

[JsonConverter(typeof(StrictEnumConverter<VmRunState>))]
public enum VmRunState
{
    Running = 1,
    Stopped = 2,
    Crashed = 3,
    Hung = 4,
}
