using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// Server-side filtering over the audit log with sequence paging: reads the log forward from <c>after</c>, keeps what
/// the selector picks, and stops at <c>limit</c> items or after <see cref="MaxScannedEntries"/> entries — then
/// <c>next</c> is the last entry looked at, so a sparse filter over a long log costs bounded work per request and
/// the client simply continues.
/// </summary>
internal static class AuditScanner
{
    public const int MaxScannedEntries = 10_000;

    /// <summary>
    /// Items of the entries after <paramref name="after"/>; an entry's items are never split across pages (a page may
    /// hold fewer than <paramref name="limit"/>; only a single entry with more items than the limit exceeds it).
    /// <c>Next</c> is null when the log holds nothing more yet.
    /// </summary>
    public static async Task<(List<T> Items, long? Next)> ScanAsync<T>(
        ICoordinatorStore store, long after, int limit, bool filtered, Func<AuditEntry, IReadOnlyList<T>> select, CancellationToken cancellationToken)
    {
        var items = new List<T>(Math.Min(limit, 256));
        var cursor = after;
        var scanned = 0;
        while (true)
        {
            // Unfiltered, every entry is an item: read exactly a page. Filtered, read big batches.
            var page = await store.ReadAuditAsync(cursor, filtered ? StoreLimits.MaxPageSize : limit, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < page.Entries.Count; i++)
            {
                var entry = page.Entries[i];
                var selected = select(entry);
                if (selected.Count > 0 && items.Count > 0 && items.Count + selected.Count > limit)
                {
                    return (items, cursor);
                }
                items.AddRange(selected);
                cursor = entry.Sequence;
                scanned++;
                if (items.Count >= limit || scanned >= MaxScannedEntries)
                {
                    var more = i < page.Entries.Count - 1 || page.HasMore;
                    return (items, more ? cursor : null);
                }
            }
            if (!page.HasMore || page.Entries.Count == 0)
            {
                return (items, null);
            }
        }
    }
}
