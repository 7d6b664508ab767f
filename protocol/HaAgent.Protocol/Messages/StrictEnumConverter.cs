using System.Text.Json;
using System.Text.Json.Serialization;

namespace HaAgent.Protocol.Messages;

/// <summary>Enums travel as kebab-case names only: a number would let a peer send a value no member names.</summary>
public sealed class StrictEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public StrictEnumConverter()
        : base(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    {
    }
}
