namespace HaAgent.Coordinator.Store;

/// <summary>
/// Leadership and durable state of the coordinator, behind one interface so one coordinator on a SQLite file and
/// several on etcd run the same service code. Reads are free for anyone; every write names the
/// <see cref="Leadership"/> it is made under and the store applies it only if that leadership is still the current
/// one (checked inside the same transaction as the write), so a coordinator that lost its lease — paused, partitioned,
/// superseded — can change nothing (<see cref="NotLeaderException"/>). <see cref="Leadership.Epoch"/> is the fencing
/// token orders carry: it only grows from one leader to the next.
/// </summary>
internal interface ICoordinatorStore : IAsyncDisposable
{
    /// <summary>Who this store instance campaigns as.</summary>
    string InstanceId { get; }

    /// <summary>The leadership this instance holds, or null (also null once it was lost or resigned).</summary>
    Leadership? CurrentLeadership { get; }

    /// <summary>One attempt: takes leadership if nobody holds it, else returns null. Returns the held one if this instance already leads.</summary>
    Task<Leadership?> TryAcquireLeadershipAsync(CancellationToken cancellationToken);

    /// <summary>Waits until this instance leads (polling <see cref="TryAcquireLeadershipAsync"/>); cancel to give up.</summary>
    Task<Leadership> CampaignAsync(CancellationToken cancellationToken);

    /// <summary>Who leads now according to the store, or null when nobody does.</summary>
    Task<LeaderInfo?> GetLeaderAsync(CancellationToken cancellationToken);

    /// <summary>Gives leadership up at once so another instance can take over without waiting for the lease to run out.</summary>
    Task ResignAsync(Leadership leadership, CancellationToken cancellationToken);

    Task<StoredDocument?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Documents whose key starts with <paramref name="prefix"/>, in ordinal key order, after <paramref name="startAfter"/> (a key from the previous page).</summary>
    Task<DocumentPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a document if <paramref name="leadership"/> still leads and, when <paramref name="expectedVersion"/> is
    /// given, the document's version equals it (0: the document must not exist).
    /// </summary>
    /// <exception cref="NotLeaderException">The leadership is no longer current; nothing was written.</exception>
    Task<WriteResult> PutAsync(Leadership leadership, string key, ReadOnlyMemory<byte> value, long? expectedVersion, CancellationToken cancellationToken);

    /// <inheritdoc cref="PutAsync" path="/exception"/>
    Task<WriteResult> DeleteAsync(Leadership leadership, string key, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="writes"/> and appends <paramref name="audit"/> (when given) in one transaction under
    /// <paramref name="leadership"/>: all of it or, on any version conflict, none of it. So a decision's state and its
    /// audit record can never be separated by a crash.
    /// </summary>
    /// <exception cref="NotLeaderException">The leadership is no longer current; nothing was written.</exception>
    Task<CommitResult> CommitAsync(Leadership leadership, IReadOnlyList<DocumentWrite> writes, ReadOnlyMemory<byte>? audit, CancellationToken cancellationToken);

    /// <summary>Appends one audit record under <paramref name="leadership"/>; returns its sequence number (1, 2, 3... with no gaps).</summary>
    /// <exception cref="NotLeaderException">The leadership is no longer current; nothing was appended.</exception>
    Task<long> AppendAuditAsync(Leadership leadership, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>Audit records with a sequence above <paramref name="afterSequence"/>, oldest first.</summary>
    Task<AuditPage> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken);
}
