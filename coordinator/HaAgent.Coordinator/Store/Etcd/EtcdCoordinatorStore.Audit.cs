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

    /// <summary>
    /// The next sequence comes from the audit-sequence key, bumped in the same fenced Txn that writes the record and
    /// compared on its mod revision, so sequences have no gaps even across leader changes.
    /// </summary>
    public async Task<long> AppendAuditAsync(Leadership leadership, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        CheckLeadership(leadership);
        StoreLimits.ValidateValue(payload);
        var record = new byte[AuditHeaderBytes + payload.Length];
        BinaryPrimitives.WriteInt64BigEndian(record, leadership.Epoch);
        BinaryPrimitives.WriteInt64BigEndian(record.AsSpan(8), _time.GetUtcNow().ToUnixTimeMilliseconds());
        payload.Span.CopyTo(record.AsSpan(AuditHeaderBytes));

        await _auditGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < AuditAppendAttempts; attempt++)
            {
                if (_auditCursor is not { } cursor || cursor.Epoch != leadership.Epoch)
                {
                    var counter = await RangeAsync("read audit sequence", new RangeRequest { Key = _keys.AuditSequence }, cancellationToken).ConfigureAwait(false);
                    cursor = counter.Kvs.Count == 0
                        ? (leadership.Epoch, 0, 0)
                        : (leadership.Epoch, long.Parse(counter.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture), counter.Kvs[0].ModRevision);
                }
                var sequence = cursor.Sequence + 1;
                var txn = FencedTxn(leadership);
                txn.Compare.Add(ModRevisionIs(_keys.AuditSequence, cursor.ModRevision));
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = _keys.AuditSequence, Value = ByteString.CopyFromUtf8(sequence.ToString(CultureInfo.InvariantCulture)) } });
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = _keys.Audit(sequence), Value = ByteString.CopyFrom(record) } });
                var response = await TxnAsync("append audit record", txn, cancellationToken).ConfigureAwait(false);
                ThrowIfNotLeading(leadership, response);
                if (response.Succeeded)
                {
                    _auditCursor = (leadership.Epoch, sequence, response.Header.Revision);
                    return sequence;
                }
                _auditCursor = null;
            }
            throw new StoreUnavailableException($"audit append lost the race for the sequence {AuditAppendAttempts} times in a row");
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
