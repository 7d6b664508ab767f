using Etcdserverpb;
using Google.Protobuf;

namespace HaAgent.Coordinator.Store.Etcd;

internal sealed partial class EtcdCoordinatorStore
{
    public async Task<StoredDocument?> GetAsync(string key, CancellationToken cancellationToken)
    {
        StoreLimits.ValidateKey(key);
        var response = await RangeAsync("get document", new RangeRequest { Key = _keys.Document(key) }, cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : new StoredDocument(key, response.Kvs[0].Value.ToByteArray(), response.Kvs[0].ModRevision);
    }

    public async Task<DocumentPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken cancellationToken)
    {
        StoreLimits.ValidatePrefix(prefix);
        StoreLimits.ValidateStartAfter(prefix, startAfter);
        StoreLimits.ValidatePageSize(limit);
        var request = new RangeRequest
        {
            // The smallest key after startAfter is startAfter followed by a NUL byte.
            Key = startAfter is null ? ByteString.CopyFromUtf8(_keys.DocumentsPrefix + prefix) : ByteString.CopyFromUtf8(_keys.DocumentsPrefix + startAfter + "\0"),
            RangeEnd = _keys.DocumentsEnd(prefix),
            Limit = limit,
        };
        var response = await RangeAsync("list documents", request, cancellationToken).ConfigureAwait(false);
        var documents = response.Kvs
            .Select(kv => new StoredDocument(_keys.DocumentKeyOf(kv.Key), kv.Value.ToByteArray(), kv.ModRevision))
            .ToList();
        return new DocumentPage(documents, response.More && documents.Count > 0 ? documents[^1].Key : null);
    }

    public async Task<WriteResult> PutAsync(Leadership leadership, string key, ReadOnlyMemory<byte> value, long? expectedVersion, CancellationToken cancellationToken)
    {
        CheckLeadership(leadership);
        StoreLimits.ValidateKey(key);
        StoreLimits.ValidateValue(value);
        StoreLimits.ValidateExpectedVersion(expectedVersion);
        var documentKey = _keys.Document(key);
        var txn = FencedTxn(leadership);
        if (expectedVersion is { } expected)
        {
            txn.Compare.Add(ModRevisionIs(documentKey, expected));
        }
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = documentKey, Value = ByteString.CopyFrom(value.Span) } });
        txn.Failure.Add(Range(documentKey, keysOnly: true));
        var response = await TxnAsync("put document", txn, cancellationToken).ConfigureAwait(false);
        ThrowIfNotLeading(leadership, response);
        if (response.Succeeded)
        {
            NoteWritten(response.Header.Revision);
        }
        return response.Succeeded
            ? new WriteResult(WriteOutcome.Written, response.Header.Revision)
            : new WriteResult(WriteOutcome.VersionConflict, ModRevisionOf(response.Responses[1]));
    }

    public async Task<WriteResult> DeleteAsync(Leadership leadership, string key, long? expectedVersion, CancellationToken cancellationToken)
    {
        CheckLeadership(leadership);
        StoreLimits.ValidateKey(key);
        StoreLimits.ValidateExpectedVersion(expectedVersion);
        var documentKey = _keys.Document(key);
        var txn = FencedTxn(leadership);
        if (expectedVersion is { } expected)
        {
            txn.Compare.Add(ModRevisionIs(documentKey, expected));
        }
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = documentKey } });
        txn.Failure.Add(Range(documentKey, keysOnly: true));
        var response = await TxnAsync("delete document", txn, cancellationToken).ConfigureAwait(false);
        ThrowIfNotLeading(leadership, response);
        if (!response.Succeeded)
        {
            return new WriteResult(WriteOutcome.VersionConflict, ModRevisionOf(response.Responses[1]));
        }
        NoteWritten(response.Header.Revision);
        return response.Responses[0].ResponseDeleteRange.Deleted == 0
            ? new WriteResult(WriteOutcome.NotFound, 0)
            : new WriteResult(WriteOutcome.Deleted, response.Header.Revision);
    }

    private static long ModRevisionOf(ResponseOp range) =>
        range.ResponseRange.Kvs.Count == 0 ? 0 : range.ResponseRange.Kvs[0].ModRevision;
}
