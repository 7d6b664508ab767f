namespace HaAgent.Agent.Restart;

/// <summary>
/// One start or stop command this agent acted on. <see cref="Finished"/> false means the agent died during it: the
/// repeat must find out from libvirt what the first run left behind.
/// </summary>
internal sealed record CommandJournalEntry(string CommandId, DateTimeOffset At, bool Finished, StartReport? Start, StopReport? Stop);
