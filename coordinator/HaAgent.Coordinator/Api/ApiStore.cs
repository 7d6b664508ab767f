using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// The API's view of <see cref="ICoordinatorStore"/>: typed documents, and mutations that land together with their
/// audit record in one fenced commit, so a crash can never leave a change without its record or the reverse.
/// </summary>
internal sealed partial class ApiStore(ICoordinatorStore store, IDocumentReader reader, ILogger<ApiStore> logger)
{
    /// <summary>Reads straight from the store (no read cache).</summary>
    public ApiStore(ICoordinatorStore store, ILogger<ApiStore> logger)
        : this(store, new StoreDocumentReader(store), logger)
    {
    }

    public const string HostsPrefix = "hosts/";
    public const string VmsPrefix = "vms/";
    public const string RulesPrefix = "rules/";

    /// <summary>Raw libvirt domain XML per VM, shared with the engine (TRANSPORT.md "Store keys").</summary>
    public const string VmDefinitionsPrefix = "vmdefs/";

    public ICoordinatorStore Store => store;

    /// <summary>
    /// Where the API's reads go: on etcd the watch-fed read cache, which shows this coordinator's own writes
    /// (read-your-writes), and on the leader every write; on SQLite the store.
    /// </summary>
    public IDocumentReader Reader => reader;

    /// <summary>One stored document as it is (for <see cref="StoredDocumentResult"/>).</summary>
    public Task<StoredDocument?> GetRawAsync(string key, CancellationToken cancellationToken) => reader.GetAsync(key, cancellationToken);

    public async Task<(T? Value, long Version, StoredDocument? Raw)> GetAsync<T>(string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var stored = await reader.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return stored is null ? (null, 0, null) : (JsonSerializer.Deserialize(stored.Value.Span, typeInfo), stored.Version, stored);
    }

    public async Task<(List<(T Value, long Version)> Items, string? Next)> ListAsync<T>(
        string prefix, string? afterId, int limit, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var page = await reader.ListAsync(prefix, afterId is null ? null : prefix + afterId, limit, cancellationToken).ConfigureAwait(false);
        var items = new List<(T, long)>(page.Documents.Count);
        foreach (var document in page.Documents)
        {
            if (JsonSerializer.Deserialize(document.Value.Span, typeInfo) is { } value)
            {
                items.Add((value, document.Version));
            }
        }
        return (items, page.NextStartAfter?[prefix.Length..]);
    }

    /// <summary>One page of stored documents as they are (for <see cref="StoredPageResult"/>); <paramref name="afterId"/> is relative to the prefix.</summary>
    public Task<DocumentPage> ListRawAsync(string prefix, string? afterId, int limit, CancellationToken cancellationToken) =>
        reader.ListAsync(prefix, afterId is null ? null : prefix + afterId, limit, cancellationToken);

    /// <summary>Every document under <paramref name="prefix"/>, page by page (for what-if and metrics).</summary>
    public async Task<List<T>> ListAllAsync<T>(string prefix, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var all = new List<T>();
        string? after = null;
        do
        {
            var page = await reader.ListAsync(prefix, after, StoreLimits.MaxPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var document in page.Documents)
            {
                if (JsonSerializer.Deserialize(document.Value.Span, typeInfo) is { } value)
                {
                    all.Add(value);
                }
            }
            after = page.NextStartAfter;
        }
        while (after is not null);
        return all;
    }

    /// <summary>
    /// Puts (or deletes, when <paramref name="after"/> is null) one document if its version is still
    /// <paramref name="expectedVersion"/> (0: absent), together with the audit record. Returns the new version, or
    /// the problem to answer with (409 on a version conflict, 503 when this instance does not lead).
    /// </summary>
    public Task<(long Version, IResult? Problem)> CommitAsync(
        ClaimsPrincipal user,
        string action,
        string key,
        StoredDocument? before,
        byte[]? after,
        long expectedVersion,
        CancellationToken cancellationToken) =>
        CommitAsync(
            user, action, key, after, expectedVersion,
            before is null ? null : JsonDocument.Parse(before.Value).RootElement,
            after is null ? null : JsonDocument.Parse(after).RootElement,
            cancellationToken);

    /// <summary>
    /// Like the other overload, but the audit record shows <paramref name="auditBefore"/>/<paramref name="auditAfter"/>
    /// instead of the document itself (for documents that are not JSON, or too big to copy into the log).
    /// </summary>
    public async Task<(long Version, IResult? Problem)> CommitAsync(
        ClaimsPrincipal user,
        string action,
        string key,
        byte[]? after,
        long expectedVersion,
        JsonElement? auditBefore,
        JsonElement? auditAfter,
        CancellationToken cancellationToken)
    {
        var leadership = store.CurrentLeadership;
        if (leadership is null || leadership.IsLost)
        {
            return (0, await NotLeaderAsync(cancellationToken).ConfigureAwait(false));
        }
        var record = new AuditRecordDocument(
            action,
            key,
            user.Identity?.Name ?? "anonymous",
            user.FindFirstValue(ApiClaims.Role) ?? "none",
            auditBefore,
            auditAfter);
        var audit = JsonSerializer.SerializeToUtf8Bytes(record, ApiJsonContext.Default.AuditRecordDocument);
        var write = after is null ? DocumentWrite.Delete(key, expectedVersion) : DocumentWrite.Put(key, after, expectedVersion);
        CommitResult result;
        try
        {
            result = await store.CommitAsync(leadership, [write], audit, cancellationToken).ConfigureAwait(false);
        }
        catch (NotLeaderException)
        {
            Log.WriteRefusedNotLeader(logger, action, key, leadership.Epoch);
            return (0, await NotLeaderAsync(cancellationToken).ConfigureAwait(false));
        }
        if (!result.Committed)
        {
            var current = result.Conflicts.Count > 0 ? result.Conflicts[0].CurrentVersion : 0;
            var detail = expectedVersion == 0
                ? $"'{key}' already exists"
                : current == 0 ? $"'{key}' was deleted meanwhile" : $"'{key}' is at version {current}, not {expectedVersion}";
            return (0, ApiProblems.Conflict(detail, current));
        }
        Log.MutationCommitted(logger, action, key, record.Actor, record.Role, result.Revision, result.AuditSequence ?? 0);
        return (result.Revision, null);
    }

    private async Task<IResult> NotLeaderAsync(CancellationToken cancellationToken)
    {
        LeaderInfo? leader;
        try
        {
            leader = await store.GetLeaderAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            leader = null;
        }
        return ApiProblems.NotLeader(leader);
    }
}
