namespace HaAgent.Core.Model;

/// <summary>
/// A volume a VM writes. The backend decides how its old host is cut off: Ceph by blocklisting the host's client
/// addresses, iSCSI by a SCSI-3 persistent reservation PREEMPT from a healthy registered peer.
/// </summary>
public abstract record VolumeRef
{
    /// <summary>Parses "ceph:pool/image" or "iscsi:target-iqn/lun".</summary>
    /// <exception cref="FormatException">The text names no known backend or is incomplete; the message says what was expected.</exception>
    public static VolumeRef Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var slash = text.LastIndexOf('/');
        if (colon <= 0 || slash <= colon + 1 || slash == text.Length - 1)
        {
            throw new FormatException($"volume '{text}': expected ceph:POOL/IMAGE or iscsi:TARGET/LUN");
        }
        var scheme = text[..colon];
        var container = text[(colon + 1)..slash];
        var item = text[(slash + 1)..];
        return scheme switch
        {
            "ceph" => new CephVolume(container, item),
            "iscsi" when int.TryParse(item, out var lun) && lun >= 0 => new IscsiVolume(container, lun),
            "iscsi" => throw new FormatException($"volume '{text}': LUN '{item}' is not a non-negative number"),
            _ => throw new FormatException($"volume '{text}': unknown backend '{scheme}', expected ceph or iscsi"),
        };
    }
}
