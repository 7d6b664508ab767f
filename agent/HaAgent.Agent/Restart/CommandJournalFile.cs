namespace HaAgent.Agent.Restart;

/// <summary>The journal file's content, oldest entry first.</summary>
internal sealed record CommandJournalFile
{
    public IReadOnlyList<CommandJournalEntry> Entries { get; init; } = [];
}
