using System.Text.Json;

namespace HaAgent.Agent.State;

/// <summary>
/// The agent's persistent state file. Every change is written to a temp file, fsynced, and renamed over the old one,
/// so a crash leaves the old or the new state, never half of one. A token is raised on disk BEFORE the order it
/// admits does anything: after a restart the agent still refuses every order older than one it acted on.
/// </summary>
internal sealed class AgentStateStore
{
    private readonly Lock _gate = new();
    private AgentState _state;

    /// <exception cref="InvalidDataException">The file exists but is not a state file: refusing to guess a token.</exception>
    public AgentStateStore(string path)
    {
        Path = path;
        _state = Load(path);
    }

    public string Path { get; }

    public AgentState Current
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public long HighestToken => Current.HighestToken;

    /// <summary>
    /// Admits an order carrying <paramref name="token"/>: true when it is at least the highest seen (raised and
    /// persisted first); false, changing nothing, when it is stale.
    /// </summary>
    public bool TryAdmit(long token, out long highest)
    {
        lock (_gate)
        {
            highest = _state.HighestToken;
            if (token < highest)
            {
                return false;
            }
            if (token > highest)
            {
                Save(_state with { HighestToken = token });
                highest = token;
            }
            return true;
        }
    }

    /// <summary>Called once per agent start: raises the persisted incarnation and returns it.</summary>
    public long BeginIncarnation()
    {
        lock (_gate)
        {
            var next = _state.Incarnation + 1;
            Save(_state with { Incarnation = next });
            return next;
        }
    }

    public void AddSelfFence(SelfFenceRecord record)
    {
        lock (_gate)
        {
            Save(_state with { PendingSelfFences = [.. _state.PendingSelfFences, record] });
        }
    }

    /// <summary>Removes the records a coordinator acknowledged (those at or before <paramref name="upTo"/>).</summary>
    public void AcknowledgeSelfFences(DateTimeOffset upTo)
    {
        lock (_gate)
        {
            Save(_state with { PendingSelfFences = [.. _state.PendingSelfFences.Where(r => r.At > upTo)] });
        }
    }

    private void Save(AgentState state)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(directory);
        var temp = Path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, state, AgentStateJsonContext.Default.AgentState);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
        _state = state;
    }

    private static AgentState Load(string path)
    {
        if (!File.Exists(path))
        {
            return new AgentState();
        }
        try
        {
            using var file = File.OpenRead(path);
            return JsonSerializer.Deserialize(file, AgentStateJsonContext.Default.AgentState)
                ?? throw new InvalidDataException($"state file {path} is empty JSON");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"state file {path} is not valid agent state: {e.Message}", e);
        }
    }
}
