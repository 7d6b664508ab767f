namespace HaAgent.Coordinator.Store.Sqlite;

internal sealed class SqliteStoreOptions
{
    /// <summary>The database file; created with its schema on first open.</summary>
    public string Path { get; set; } = "haagent-coordinator.db";

    /// <summary>Who this coordinator campaigns as.</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary>
    /// How long a leader may go without renewing before another process on the same file may take over. A restarted
    /// coordinator waits this long at most, since it cannot tell its dead predecessor from a live one.
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Leadership counts as lost this long before the persisted lease expires, so a late timer in this process cannot
    /// leave it believing it leads after another process could have taken over. Must be well under a third of the TTL.
    /// </summary>
    public TimeSpan ExpiryMargin { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a campaign retries while someone else leads.</summary>
    public TimeSpan CampaignPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a statement waits for another connection's write lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
