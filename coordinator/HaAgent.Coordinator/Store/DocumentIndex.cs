namespace HaAgent.Coordinator.Store;

/// <summary>
/// An in-memory, ordinal-sorted set of documents for <see cref="Etcd.EtcdReadCache"/>: a list of sorted chunks of at
/// most <see cref="ChunkCapacity"/> entries, so a lookup or a page start is two binary searches and an insert moves at
/// most one chunk's references (a flat sorted array of 200 000 would move up to 1.6 MB per insert). Documents are kept
/// as the stored UTF-8 JSON bytes (<see cref="StoredDocument"/>, the type the API writes from), so a read hands out
/// the same objects without copying or parsing. One lock: readers hold it for a binary search plus a page of
/// reference copies (microseconds); a change batch (one etcd revision, possibly many documents) is applied under one
/// hold so no read sees half of a transaction.
/// </summary>
internal sealed class DocumentIndex
{
    public const int ChunkCapacity = 512;

    /// <summary>Bulk loads fill chunks this far so the first inserts into them do not split at once.</summary>
    private const int LoadFill = 384;

    /// <summary>
    /// Per-document cost besides the key's UTF-16 chars and the value's bytes: the StoredDocument object (48 B), the
    /// key string's and the arrays' headers, chunk slots and slack, GC fragmentation — calibrated so the estimate
    /// matches the managed heap measured at 200 000 VMs with every answer rendered (ReadCachePageBenchmark: 100 MiB).
    /// </summary>
    internal const int PerDocumentOverhead = 168;

    private readonly List<List<StoredDocument>> _chunks = [];
    private readonly Lock _gate = new();
    private int _count;
    private long _bytes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>An estimate of the managed memory the documents take (keys, values, objects, slots).</summary>
    public long EstimatedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Key chars, value bytes and overhead; a cached document counts its value twice for the answer the API memoises on it (<see cref="StoredDocument.Rendered"/>).</summary>
    public static long SizeOf(StoredDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return (2L * document.Key.Length) + ((document.Cached ? 2L : 1L) * (document.Value.Length + 16)) + PerDocumentOverhead;
    }

    /// <summary>Adds a document whose key sorts after every key already here (a bulk load in key order).</summary>
    public void Append(StoredDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        lock (_gate)
        {
            var last = _chunks.Count == 0 ? null : _chunks[^1];
            if (last is { Count: > 0 } && string.CompareOrdinal(last[^1].Key, document.Key) >= 0)
            {
                throw new ArgumentException($"'{document.Key}' does not sort after '{last[^1].Key}'", nameof(document));
            }
            if (last is null || last.Count >= LoadFill)
            {
                last = new List<StoredDocument>(ChunkCapacity);
                _chunks.Add(last);
            }
            last.Add(document);
            _count++;
            _bytes += SizeOf(document);
        }
    }

    public StoredDocument? Get(string key)
    {
        lock (_gate)
        {
            if (_chunks.Count == 0)
            {
                return null;
            }
            var chunk = _chunks[ChunkFor(key)];
            var index = LowerBound(chunk, key);
            return index < chunk.Count && string.Equals(chunk[index].Key, key, StringComparison.Ordinal) ? chunk[index] : null;
        }
    }

    /// <summary>Puts (<c>Document</c> set) or removes (null) each key, all under one hold of the lock.</summary>
    public void Apply(IReadOnlyList<(string Key, StoredDocument? Document)> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            foreach (var (key, document) in changes)
            {
                if (document is null)
                {
                    RemoveLocked(key);
                }
                else
                {
                    SetLocked(document);
                }
            }
        }
    }

    /// <summary>
    /// Like <see cref="ICoordinatorStore.ListAsync"/>: documents whose key starts with <paramref name="prefix"/>, in
    /// ordinal order, after <paramref name="startAfter"/>; <see cref="DocumentPage.NextStartAfter"/> is the last key
    /// when more follow.
    /// </summary>
    public DocumentPage Page(string prefix, string? startAfter, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var documents = new List<StoredDocument>(Math.Min(limit, 1024));
        var more = false;
        lock (_gate)
        {
            if (_chunks.Count == 0)
            {
                return new DocumentPage(documents, null);
            }
            var from = startAfter ?? prefix;
            var chunkIndex = ChunkFor(from);
            var position = LowerBound(_chunks[chunkIndex], from);
            if (startAfter is not null && position < _chunks[chunkIndex].Count && string.Equals(_chunks[chunkIndex][position].Key, startAfter, StringComparison.Ordinal))
            {
                position++;
            }
            for (; chunkIndex < _chunks.Count; chunkIndex++, position = 0)
            {
                var chunk = _chunks[chunkIndex];
                for (; position < chunk.Count; position++)
                {
                    var document = chunk[position];
                    if (!document.Key.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return new DocumentPage(documents, null);
                    }
                    if (documents.Count == limit)
                    {
                        more = true;
                        break;
                    }
                    documents.Add(document);
                }
                if (more)
                {
                    break;
                }
            }
        }
        return new DocumentPage(documents, more ? documents[^1].Key : null);
    }

    private void SetLocked(StoredDocument document)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add(new List<StoredDocument>(ChunkCapacity) { document });
            _count = 1;
            _bytes = SizeOf(document);
            return;
        }
        var chunkIndex = ChunkFor(document.Key);
        var chunk = _chunks[chunkIndex];
        var index = LowerBound(chunk, document.Key);
        if (index < chunk.Count && string.Equals(chunk[index].Key, document.Key, StringComparison.Ordinal))
        {
            _bytes += SizeOf(document) - SizeOf(chunk[index]);
            chunk[index] = document;
            return;
        }
        chunk.Insert(index, document);
        _count++;
        _bytes += SizeOf(document);
        if (chunk.Count > ChunkCapacity)
        {
            var half = chunk.Count / 2;
            var upper = new List<StoredDocument>(ChunkCapacity);
            upper.AddRange(chunk.GetRange(half, chunk.Count - half));
            chunk.RemoveRange(half, chunk.Count - half);
            _chunks.Insert(chunkIndex + 1, upper);
        }
    }

    private void RemoveLocked(string key)
    {
        if (_chunks.Count == 0)
        {
            return;
        }
        var chunkIndex = ChunkFor(key);
        var chunk = _chunks[chunkIndex];
        var index = LowerBound(chunk, key);
        if (index >= chunk.Count || !string.Equals(chunk[index].Key, key, StringComparison.Ordinal))
        {
            return;
        }
        _bytes -= SizeOf(chunk[index]);
        _count--;
        chunk.RemoveAt(index);
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(chunkIndex);
        }
    }

    /// <summary>The chunk that holds <paramref name="key"/> or would: the last one whose first key is ≤ it (the first chunk when none is).</summary>
    private int ChunkFor(string key)
    {
        int low = 0, high = _chunks.Count - 1;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (string.CompareOrdinal(_chunks[middle][0].Key, key) <= 0)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    /// <summary>The first position whose key is ≥ <paramref name="key"/>.</summary>
    private static int LowerBound(List<StoredDocument> chunk, string key)
    {
        int low = 0, high = chunk.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (string.CompareOrdinal(chunk[middle].Key, key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}
