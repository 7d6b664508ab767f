using System.Globalization;
using Google.Protobuf;

namespace HaAgent.Coordinator.Store.Etcd;

/// <summary>The key layout under the configured prefix: leader, docs/&lt;key&gt;, audit/&lt;sequence&gt;, audit-sequence, readcache/&lt;instance&gt;.</summary>
internal sealed class EtcdKeys
{
    public EtcdKeys(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (!prefix.EndsWith('/'))
        {
            throw new ArgumentException("the key prefix must end with '/'", nameof(prefix));
        }
        StoreLimits.ValidatePrefix(prefix);
        Leader = ByteString.CopyFromUtf8(prefix + "leader");
        AuditSequence = ByteString.CopyFromUtf8(prefix + "audit-sequence");
        DocumentsPrefix = prefix + "docs/";
        AuditPrefix = prefix + "audit/";
        ReadCachePrefix = prefix + "readcache/";
    }

    public ByteString Leader { get; }

    public ByteString AuditSequence { get; }

    public string DocumentsPrefix { get; }

    public string AuditPrefix { get; }

    public string ReadCachePrefix { get; }

    /// <summary>One key per coordinator instance, written by its read cache after each (re)load.</summary>
    public ByteString ReadCacheMark(string instanceId) => ByteString.CopyFromUtf8(ReadCachePrefix + instanceId);

    public ByteString Document(string key) => ByteString.CopyFromUtf8(DocumentsPrefix + key);

    public string DocumentKeyOf(ByteString etcdKey) => etcdKey.ToStringUtf8()[DocumentsPrefix.Length..];

    /// <summary>Zero-padded so etcd's byte order is sequence order.</summary>
    public ByteString Audit(long sequence) => ByteString.CopyFromUtf8(AuditPrefix + sequence.ToString("D19", CultureInfo.InvariantCulture));

    public ByteString AuditEnd => ByteString.CopyFromUtf8(AuditPrefix + StoreLimits.PastLastKeyChar);

    public ByteString DocumentsEnd(string prefix) => ByteString.CopyFromUtf8(DocumentsPrefix + prefix + StoreLimits.PastLastKeyChar);
}
