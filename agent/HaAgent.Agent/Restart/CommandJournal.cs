using System.Text.Json;

namespace HaAgent.Agent.Restart;

/// <summary>
/// Start and stop commands this agent acted on, kept in a small JSON file beside the state file (temp + fsync +
/// rename, like the state file), so a repeated command — a coordinator retry, or a retry after this agent restarted —
/// returns the first answer instead of acting twice. A command is marked in progress on disk before its first change.
/// Only the newest <see cref="Capacity"/> entries are kept: a coordinator retries within minutes, not thousands of orders later.
/// </summary>
internal sealed class CommandJournal
{
    public const int Capacity = 512;
    private readonly Lock _gate = new();
    private CommandJournalFile _file;

    /// <exception cref="InvalidDataException">The file exists but is not a journal: refusing to guess what was done.</exception>
    public CommandJournal(string path, TimeProvider time)
    {
        Path = path;
        Time = time;
        _file = Load(path);
    }

    public string Path { get; }

    private TimeProvider Time { get; }

    public CommandJournalEntry? Find(string commandId)
    {
        lock (_gate)
        {
            return _file.Entries.LastOrDefault(e => e.CommandId == commandId);
        }
    }

    public void MarkInProgress(string commandId) => Put(new CommandJournalEntry(commandId, Time.GetUtcNow(), false, null, null));

    public void Finish(StartReport report) => Put(new CommandJournalEntry(report.CommandId, Time.GetUtcNow(), true, report, null));

    public void Finish(StopReport report) => Put(new CommandJournalEntry(report.CommandId, Time.GetUtcNow(), true, null, report));

    private void Put(CommandJournalEntry entry)
    {
        lock (_gate)
        {
            var kept = _file.Entries.Where(e => e.CommandId != entry.CommandId).ToList();
            kept.Add(entry);
            if (kept.Count > Capacity)
            {
                kept.RemoveRange(0, kept.Count - Capacity);
            }
            Save(_file with { Entries = kept });
        }
    }

    private void Save(CommandJournalFile file)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(directory);
        var temp = Path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, CommandJournalJsonContext.Default.CommandJournalFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
        _file = file;
    }

    private static CommandJournalFile Load(string path)
    {
        if (!File.Exists(path))
        {
            return new CommandJournalFile();
        }
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, CommandJournalJsonContext.Default.CommandJournalFile)
                ?? throw new InvalidDataException($"command journal {path} is empty JSON");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"command journal {path} is not a command journal: {e.Message}", e);
        }
    }
}
