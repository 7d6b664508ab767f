using System.Globalization;
using System.Net;
using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Validation;

/// <summary>
/// Checks every field of a parsed message against the contract. Returns the path of the first bad field
/// (<c>vms[3].vmId</c>) or null. Pure and allocation-free on the success path.
/// </summary>
public static class MessageValidator
{
    public static string? FirstInvalidField(ProtocolMessage message) => message switch
    {
        HelloMessage m => Agent(m) ?? Text(m.AgentVersion, "agentVersion", allowEmpty: false)
            ?? IdList(m.Capabilities, "capabilities")
            ?? CephAddresses(m.Fence.CephClientAddresses, "fence.cephClientAddresses")
            ?? (m.Fence.IscsiPrKey is null || IsPrKey(m.Fence.IscsiPrKey) ? null : "fence.iscsiPrKey"),
        HeartbeatMessage m => Agent(m) ?? (m.Sequence < 0 ? "sequence" : null) ?? Stamp(m.LastStamp, "lastStamp", allowZero: true),
        VmReportMessage m => Agent(m) ?? VmStatuses(m.Vms),
        SelfFenceReportMessage m => Agent(m) ?? Text(m.Reason, "reason", allowEmpty: false) ?? IdList(m.KilledVms, "killedVms"),
        OrderResultMessage m => Agent(m) ?? Id(m.OrderId, "orderId") ?? Stamp(m.Stamp, "stamp", allowZero: false)
            ?? (Enum.IsDefined(m.Outcome) ? null : "outcome")
            ?? OrderResultDetails(m),
        FenceOrder m => Order(m) ?? Id(m.Victim, "victim") ?? CephAddresses(m.CephAddresses, "cephAddresses")
            ?? IscsiTargets(m.IscsiTargets)
            ?? (m.CephAddresses.Count == 0 && m.IscsiTargets.Count == 0 ? "cephAddresses" : null),
        OrderPollMessage m => Agent(m) ?? Stamp(m.Received, "received", allowZero: true),
        VmDefinitionMessage m => Agent(m) ?? Id(m.VmId, "vmId")
            ?? (m.DomainXml.Length is 0 or > ProtocolLimits.MaxDomainXmlChars ? "domainXml" : null),
        UnfenceOrder m => Order(m) ?? IdList(m.AllowedVms, "allowedVms") ?? CephAddresses(m.CephAddresses, "cephAddresses")
            ?? IscsiTargets(m.IscsiTargets),
        StartVmOrder m => Order(m) ?? Id(m.VmId, "vmId")
            ?? (m.DomainXml.Length is 0 or > ProtocolLimits.MaxDomainXmlChars ? "domainXml" : null)
            ?? Volumes(m.Volumes),
        StopVmOrder m => Order(m) ?? Id(m.VmId, "vmId"),
        HeartbeatAck m => (m.Epoch < 0 ? "epoch" : null) ?? (m.HeartbeatSequence < 0 ? "heartbeatSequence" : null),
        _ => "type",
    };

    /// <summary>
    /// Ids: 1..<see cref="ProtocolLimits.MaxIdChars"/> of <c>[A-Za-z0-9._:-]</c>, starting with a letter or digit
    /// (safe in a log line, a file name, a libvirt name and an etcd key).
    /// </summary>
    public static bool IsId(string? value)
    {
        if (value is null || value.Length is 0 or > ProtocolLimits.MaxIdChars || !char.IsAsciiLetterOrDigit(value[0]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Ceph entity address <c>IP:PORT/NONCE</c>; IPv6 in brackets; NONCE a decimal uint32.</summary>
    public static bool IsCephAddress(string? value)
    {
        if (value is null || value.Length is 0 or > ProtocolLimits.MaxIdChars)
        {
            return false;
        }

        var span = value.AsSpan();
        var slash = span.LastIndexOf('/');
        if (slash < 0 || !IsDecimal(span[(slash + 1)..], out var nonce) || nonce > uint.MaxValue)
        {
            return false;
        }

        var hostPort = span[..slash];
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0 || !IsDecimal(hostPort[(colon + 1)..], out var port) || port > ushort.MaxValue)
        {
            return false;
        }

        var host = hostPort[..colon];
        if (host.Length >= 2 && host[0] == '[' && host[^1] == ']')
        {
            return IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        return IPAddress.TryParse(host, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && host.Count('.') == 3;
    }

    /// <summary>SCSI-3 PR key: 1..16 hex digits, optional <c>0x</c>, not zero (zero means "no key" in SCSI).</summary>
    public static bool IsPrKey(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var span = value.AsSpan();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[2..];
        }

        return span.Length is > 0 and <= 16
            && ulong.TryParse(span, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var key)
            && key != 0;
    }

    private static bool IsDecimal(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        if (digits.Length is 0 or > 10)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        return true;
    }

    private static string? Agent(AgentMessage m) =>
        Id(m.HostId, "hostId") ?? (m.Incarnation < 0 ? "incarnation" : null);

    private static string? Order(AgentOrder m) =>
        Id(m.OrderId, "orderId") ?? Stamp(m.Stamp, "stamp", allowZero: false);

    private static string? Stamp(OrderStamp stamp, string field, bool allowZero)
    {
        if (stamp.Epoch < 0 || stamp.Sequence < 0)
        {
            return field;
        }

        // A real order has epoch >= 1 and sequence >= 1; (E, 0) is only a floor ("nothing of epoch E yet").
        return !allowZero && (stamp.Epoch == 0 || stamp.Sequence == 0) ? field : null;
    }

    private static string? Id(string value, string field) => IsId(value) ? null : field;

    private static string? Text(string? value, string field, bool allowEmpty)
    {
        if (value is null || value.Length > ProtocolLimits.MaxTextChars || (!allowEmpty && value.Length == 0))
        {
            return field;
        }

        foreach (var c in value)
        {
            // Control characters would forge lines in the audit log.
            if (char.IsControl(c))
            {
                return field;
            }
        }

        return null;
    }

    private static string? Count<T>(IReadOnlyList<T> list, string field) =>
        list is null || list.Count > ProtocolLimits.MaxListItems ? field : null;

    private static string? IdList(IReadOnlyList<string> list, string field)
    {
        if (Count(list, field) is { } bad)
        {
            return bad;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (!IsId(list[i]))
            {
                return Indexed(field, i);
            }
        }

        return null;
    }

    private static string? CephAddresses(IReadOnlyList<string> list, string field)
    {
        if (Count(list, field) is { } bad)
        {
            return bad;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (!IsCephAddress(list[i]))
            {
                return Indexed(field, i);
            }
        }

        return null;
    }

    private static string? PrKeys(IReadOnlyList<string> list, string field)
    {
        if (Count(list, field) is { } bad)
        {
            return bad;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (!IsPrKey(list[i]))
            {
                return Indexed(field, i);
            }
        }

        return null;
    }

    private static string? VmStatuses(IReadOnlyList<VmStatus> vms)
    {
        if (Count(vms, "vms") is { } bad)
        {
            return bad;
        }

        for (var i = 0; i < vms.Count; i++)
        {
            var vm = vms[i];
            if (vm is null)
            {
                return Indexed("vms", i);
            }

            if (!IsId(vm.VmId))
            {
                return Indexed("vms", i) + ".vmId";
            }

            if (!Enum.IsDefined(vm.State))
            {
                return Indexed("vms", i) + ".state";
            }

            // A live QEMU may have a pid (optional: absent = not known yet, e.g. libvirt's test driver); a dead one has none.
            var mayHavePid = vm.State is VmRunState.Running or VmRunState.Hung;
            if (vm.LeaderPid is { } pid && (pid <= 0 || !mayHavePid))
            {
                return Indexed("vms", i) + ".leaderPid";
            }
        }

        return null;
    }

    private static string? OrderResultDetails(OrderResultMessage m)
    {
        if (m.Outcome == OrderOutcome.Succeeded)
        {
            if (m.FailureKind is not null)
            {
                return "failureKind";
            }
        }
        else if (m.FailureKind is not { } kind || !Enum.IsDefined(kind))
        {
            return "failureKind";
        }

        if (m.FailureMessage is not null && Text(m.FailureMessage, "failureMessage", allowEmpty: true) is { } badText)
        {
            return badText;
        }

        if (m.Ceph is { } ceph && (ceph.BlocklistEpoch < 0 || ceph.ObservedOsdmapEpoch < 0))
        {
            return "ceph";
        }

        if (m.Ceph is { } evidence && CephAddresses(evidence.Addresses, "ceph.addresses") is { } badAddress)
        {
            return badAddress;
        }

        if (Count(m.Iscsi, "iscsi") is { } badCount)
        {
            return badCount;
        }

        for (var i = 0; i < m.Iscsi.Count; i++)
        {
            var keys = m.Iscsi[i];
            var at = Indexed("iscsi", i);
            if (keys is null || !IsId(keys.Target) || keys.Lun is < 0 or > 16383)
            {
                return at;
            }

            if (PrKeys(keys.Keys, at + ".keys") is { } badKey)
            {
                return badKey;
            }
        }

        return null;
    }

    private static string? IscsiTargets(IReadOnlyList<IscsiFenceTarget> targets)
    {
        if (Count(targets, "iscsiTargets") is { } bad)
        {
            return bad;
        }

        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            if (t is null || !IsId(t.Target) || t.Lun is < 0 or > 16383 || !IsPrKey(t.VictimKey))
            {
                return Indexed("iscsiTargets", i);
            }
        }

        return null;
    }

    private static string? Volumes(IReadOnlyList<VolumeSpec> volumes)
    {
        if (Count(volumes, "volumes") is { } bad)
        {
            return bad;
        }

        for (var i = 0; i < volumes.Count; i++)
        {
            var v = volumes[i];
            if (v is null || v.Kind is not ("rbd" or "iscsi") || !IsId(v.Pool) || !IsId(v.Name))
            {
                return Indexed("volumes", i);
            }
        }

        return null;
    }

    private static string Indexed(string field, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{field}[{index}]");
}
