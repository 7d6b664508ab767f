using System.Buffers.Binary;
using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;

namespace HaAgent.Coordinator.Store.Etcd;

internal sealed partial class EtcdCoordinatorStore
{
    private const int AuditHeaderBytes = 16;
    private const int AuditAppendAttempts = 5;
    private readonly SemaphoreSlim _auditGate = new(1, 1);
    private (long Epoch, long Sequence, long ModRevision)? _auditCursor;

    public async Task<long> AppendAuditAsync(Leadership leadership, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateValue(payload);
        var result = await CommitAsync(leadership, [], payload, cancellationToken).ConfigureAwait(false);
        return result.AuditSequence!.Value;
    }

    /// <summary>
    /// One fenced Txn: compares the leader key, each expected version and (with an audit record) the audit-sequence
    /// key's mod revision; applies every write, bumps audit-sequence and writes the record. The failure branch reads
    /// all compared keys, telling "not leader" from version conflicts from a lost race for the audit sequence (retried).
    /// </summary>
    public async Task<CommitResult> CommitAsync(Leadership leadership, IReadOnlyList<DocumentWrite> writes, ReadOnlyMemory<byte>? audit, CancellationToken cancellationToken)
    {
        CheckLeadership(leadership);
        StoreLimits.ValidateBatch(writes, audit);
        byte[]? record = null;
        if (audit is { } payload)
        {
            record = new byte[AuditHeaderBytes + payload.Length];
            BinaryPrimitives.WriteInt64BigEndian(record, leadership.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(record.AsSpan(8), _time.GetUtcNow().ToUnixTimeMilliseconds());
            payload.Span.CopyTo(record.AsSpan(AuditHeaderBytes));
        }
        var expectations = writes.Where(w => w.ExpectedVersion is not null).ToList();

        await _auditGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < AuditAppendAttempts; attempt++)
            {
                var txn = FencedTxn(leadership);
                foreach (var write in expectations)
                {
                    var key = _keys.Document(write.Key);
                    txn.Compare.Add(ModRevisionIs(key, write.ExpectedVersion!.Value));
                    txn.Failure.Add(Range(key, keysOnly: true));
                }
                foreach (var write in writes)
                {
                    var key = _keys.Document(write.Key);
                    txn.Success.Add(write.Value is { } value
                        ? new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFrom(value.Span) } }
                        : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } });
                }
                (long Epoch, long Sequence, long ModRevision) cursor = default;
                if (record is not null)
                {
                    if (_auditCursor is { } cached && cached.Epoch == leadership.Epoch)
                    {
                        cursor = cached;
                    }
                    else
                    {
                        var counter = await RangeAsync("read audit sequence", new RangeRequest { Key = _keys.AuditSequence }, cancellationToken).ConfigureAwait(false);
                        cursor = counter.Kvs.Count == 0
                            ? (leadership.Epoch, 0, 0)
                            : (leadership.Epoch, long.Parse(counter.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture), counter.Kvs[0].ModRevision);
                    }
                    txn.Compare.Add(ModRevisionIs(_keys.AuditSequence, cursor.ModRevision));
                    txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = _keys.AuditSequence, Value = ByteString.CopyFromUtf8((cursor.Sequence + 1).ToString(CultureInfo.InvariantCulture)) } });
                    txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = _keys.Audit(cursor.Sequence + 1), Value = ByteString.CopyFrom(record) } });
                }

                var response = await TxnAsync("commit", txn, cancellationToken).ConfigureAwait(false);
                ThrowIfNotLeading(leadership, response);
                if (response.Succeeded)
                {
                    NoteWritten(response.Header.Revision);
                    long? sequence = null;
                    if (record is not null)
                    {
                        sequence = cursor.Sequence + 1;
                        _auditCursor = (leadership.Epoch, sequence.Value, response.Header.Revision);
                    }
                    return new CommitResult(true, response.Header.Revision, sequence, []);
                }
                var conflicts = new List<VersionConflict>();
                for (var i = 0; i < expectations.Count; i++)
                {
                    var current = ModRevisionOf(response.Responses[1 + i]);
                    if (current != expectations[i].ExpectedVersion)
                    {
                        conflicts.Add(new VersionConflict(expectations[i].Key, current));
                    }
                }
                if (conflicts.Count > 0)
                {
                    return new CommitResult(false, 0, null, conflicts);
                }
                _auditCursor = null;
            }
            throw new StoreUnavailableException($"commit lost the race for the audit sequence {AuditAppendAttempts} times in a row");
        }
        catch (StoreUnavailableException)
        {
            // After an unknown outcome the cached sequence may be stale; read it again next time.
            _auditCursor = null;
            throw;
        }
        finally
        {
            _auditGate.Release();
        }
    }

    public async Task<AuditPage> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        StoreLimits.ValidatePageSize(limit);
        var request = new RangeRequest { Key = _keys.Audit(afterSequence + 1), RangeEnd = _keys.AuditEnd, Limit = limit };
        var response = await RangeAsync("read audit", request, cancellationToken).ConfigureAwait(false);
        var entries = response.Kvs.Select(kv =>
        {
            var bytes = kv.Value.Memory;
            var sequence = long.Parse(kv.Key.ToStringUtf8().AsSpan(_keys.AuditPrefix.Length), CultureInfo.InvariantCulture);
            return new AuditEntry(
                sequence,
                BinaryPrimitives.ReadInt64BigEndian(bytes.Span),
                DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(bytes.Span[8..])),
                bytes[AuditHeaderBytes..].ToArray());
        }).ToList();
        return new AuditPage(entries, response.More);
    }
}
