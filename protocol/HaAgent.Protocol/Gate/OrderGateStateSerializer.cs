using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace HaAgent.Protocol.Gate;

/// <summary>The on-disk form of <see cref="OrderGateState"/> (source-generated JSON, AOT-safe).</summary>
public static class OrderGateStateSerializer
{
    public static byte[] Serialize(OrderGateState state) =>
        JsonSerializer.SerializeToUtf8Bytes(state, ProtocolJsonContext.Default.OrderGateState);

    /// <summary>False on a corrupt file: the agent must then refuse every order until an operator intervenes, never
    /// start from an empty state (that would forget the highest epoch).</summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out OrderGateState? state)
    {
        try
        {
            state = JsonSerializer.Deserialize(utf8, ProtocolJsonContext.Default.OrderGateState);
            return state is { FormatVersion: OrderGateState.CurrentFormatVersion };
        }
        catch (JsonException)
        {
            state = null;
            return false;
        }
    }
}
