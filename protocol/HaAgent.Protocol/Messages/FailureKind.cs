using System.Text.Json.Serialization;

namespace HaAgent.Protocol.Messages;

[JsonConverter(typeof(StrictEnumConverter<FailureKind>))]
public enum FailureKind
{
    StaleStamp = 1,
    SelfFenced = 2,
    StorageUnreachable = 3,
    StorageRefused = 4,
    HypervisorError = 5,
    Timeout = 6,
    Unverified = 7,
    Internal = 8,
}
