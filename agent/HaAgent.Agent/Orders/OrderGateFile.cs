using HaAgent.Protocol.Gate;

namespace HaAgent.Agent.Orders;

/// <summary>
/// The order gate's state beside the agent state file (<c>state.json</c> → <c>state.gate.json</c>). A missing file is
/// a first start; a file that does not parse is never replaced by an empty state (that would forget the highest stamp
/// obeyed): <see cref="Load"/> reports it and the agent refuses every order until an operator looks.
/// </summary>
internal sealed class OrderGateFile
{
    public OrderGateFile(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static string BesideStateFile(string stateFile) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(stateFile)) ?? ".",
            System.IO.Path.GetFileNameWithoutExtension(stateFile) + ".gate.json");

    /// <returns>The stored state (Initial when there is no file), or null with <paramref name="problem"/> when the file is corrupt.</returns>
    public OrderGateState? Load(out string? problem)
    {
        problem = null;
        byte[] bytes;
        try
        {
            if (!File.Exists(Path))
            {
                return OrderGateState.Initial;
            }
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"order gate file {Path} cannot be read: {e.Message}";
            return null;
        }
        if (!OrderGateStateSerializer.TryDeserialize(bytes, out var state))
        {
            problem = $"order gate file {Path} is corrupt ({bytes.Length} bytes)";
            return null;
        }
        return state;
    }

    public void Save(OrderGateState state) => DurableFile.Write(Path, OrderGateStateSerializer.Serialize(state));
}
