using System.Globalization;

namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// The cluster's client blocklist ("osd blocklist"), the Ceph fence. Needs only
/// <c>mon 'allow r, allow command "osd blocklist"'</c>. An entry is not forever: once removed or expired the fenced
/// handle can write again, so remove an entry only after its client is known dead.
/// </summary>
public sealed class RadosBlocklist
{
    private readonly RadosCluster _cluster;

    internal RadosBlocklist(RadosCluster cluster)
    {
        _cluster = cluster;
    }

    /// <summary>
    /// Blocklists <paramref name="address"/> and returns once the fencing client holds an osdmap epoch containing the
    /// entry. The fence is complete only after <see cref="RadosPool.WaitForOsdMapOnAllPlacementGroups"/> on each pool
    /// the client could write (see <see cref="RadosBlocklistConfirmation"/>).
    /// A nonce-0 (whole-host) address is refused unless <paramref name="scope"/> is <see cref="BlocklistScope.WholeHost"/>;
    /// with WholeHost the entry is the address's whole host (<c>IP:0/0</c>).
    /// </summary>
    /// <param name="expiry">How long the entry lasts (whole seconds, rounded up); null takes the cluster default (1 h).</param>
    public RadosBlocklistConfirmation Add(RadosClientAddress address, TimeSpan? expiry = null, BlocklistScope scope = BlocklistScope.Client)
    {
        ArgumentNullException.ThrowIfNull(address);
        var target = scope switch
        {
            BlocklistScope.Client when address.IsWholeHost => throw new ArgumentException(
                $"{address} has nonce 0 and would fence every client on {address.IPAddress}, this one included if it shares the IP; " +
                "pass BlocklistScope.WholeHost to mean that",
                nameof(address)),
            BlocklistScope.Client => address,
            BlocklistScope.WholeHost => address.WholeHost,
            _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "unknown scope"),
        };
        var seconds = expiry is null ? 0u : ExpirySeconds(expiry.Value);
        _cluster.ThrowIfDisposed();

        var text = target.ToString();
        // rados_blocklist_add sends the mon command and then waits for the latest osdmap.
        RadosException.ThrowIfError(
            Interop.Rados.rados_blocklist_add(_cluster.Handle, text, seconds), "rados_blocklist_add", text);

        var entries = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var epoch = RadosJson.ReadOsdDump(_cluster.MonCommand(RadosJson.Command("osd dump", ("format", "json"))).Output.Span, entries);
        DateTimeOffset? until = null;
        foreach (var (entry, entryUntil) in entries)
        {
            if (RadosClientAddress.TryParse(entry, out var parsed) && parsed == target)
            {
                until = entryUntil;
            }
        }
        if (until is null)
        {
            throw new InvalidOperationException(
                $"blocklist entry {text} is not in osdmap epoch {epoch}: removed concurrently, or already expired");
        }
        // The dump may be newer than the map rados_blocklist_add waited for: make the confirmation's claim true.
        _cluster.WaitForLatestOsdMap();
        return new RadosBlocklistConfirmation(target, epoch, until.Value);
    }

    /// <summary>Removes the exact entry (removing an absent entry is not an error). The old handle may then write again.</summary>
    public void Remove(RadosClientAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _cluster.MonCommand(RadosJson.Command("osd blocklist", ("blocklistop", "rm"), ("addr", address.ToString())));
    }

    /// <summary>Every entry, address entries first, then CIDR range entries.</summary>
    public IReadOnlyList<RadosBlocklistEntry> List() =>
        RadosJson.ReadBlocklist(_cluster.MonCommand(RadosJson.Command("osd blocklist ls", ("format", "json"))).Output.Span);

    private static uint ExpirySeconds(TimeSpan expiry)
    {
        var seconds = Math.Ceiling(expiry.TotalSeconds);
        if (seconds < 1 || seconds > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(expiry), expiry, string.Create(CultureInfo.InvariantCulture, $"must be between 1 s and {uint.MaxValue} s"));
        }
        return (uint)seconds;
    }
}
