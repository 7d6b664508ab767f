using Microsoft.Extensions.Options;

namespace HaAgent.Agent.Configuration;

/// <summary>
/// The required-field, format and range checks, with the messages the data-annotation validator gave them
/// ("HostId: The field AgentOptions.HostId must match the regular expression '...'."). Written by hand, not generated
/// from [Required]/[RegularExpression]/[Range]: those attributes bring System.ComponentModel.Annotations, TypeConverter
/// and the whole Regex engine into the NativeAOT binary (~0.4 MB of code plus MethodTables, which are also expanded
/// into anonymous memory at every start). The checks that relate values live in <see cref="AgentOptionsRules"/>.
/// </summary>
internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    private const string Root = nameof(AgentOptions);

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        Required(failures, Root, nameof(options.HostId), options.HostId);
        Matches(failures, Root, nameof(options.HostId), options.HostId, AgentLimits.HostIdPattern, AgentLimits.IsHostId);
        Required(failures, Root, nameof(options.StateFile), options.StateFile);

        var libvirt = $"{Root}.{nameof(options.Libvirt)}";
        Required(failures, libvirt, nameof(options.Libvirt.Uri), options.Libvirt.Uri);

        if (options.Ceph is { } ceph)
        {
            var prefix = $"{Root}.{nameof(options.Ceph)}";
            Required(failures, prefix, nameof(ceph.ConfigFile), ceph.ConfigFile);
            Required(failures, prefix, nameof(ceph.ClientName), ceph.ClientName);
            Matches(failures, prefix, nameof(ceph.ClientName), ceph.ClientName, AgentLimits.CephClientPattern, AgentLimits.IsCephClient);
            Required(failures, prefix, nameof(ceph.Keyring), ceph.Keyring);
            Required(failures, prefix, nameof(ceph.FencerClientName), ceph.FencerClientName);
            Matches(failures, prefix, nameof(ceph.FencerClientName), ceph.FencerClientName, AgentLimits.CephClientPattern, AgentLimits.IsCephClient);
            Required(failures, prefix, nameof(ceph.FencerKeyring), ceph.FencerKeyring);
            Required(failures, prefix, nameof(ceph.HeartbeatPool), ceph.HeartbeatPool);
        }

        if (options.Iscsi is { } iscsi)
        {
            var prefix = $"{Root}.{nameof(options.Iscsi)}";
            Required(failures, prefix, nameof(iscsi.InitiatorIqn), iscsi.InitiatorIqn);
            Matches(failures, prefix, nameof(iscsi.InitiatorIqn), iscsi.InitiatorIqn, AgentLimits.IqnPattern, AgentLimits.IsIqn);
            Required(failures, prefix, nameof(iscsi.ReservationKey), iscsi.ReservationKey);
            if (iscsi.HeartbeatLun is { } lun)
            {
                var lunPrefix = $"{prefix}.{nameof(iscsi.HeartbeatLun)}";
                Required(failures, lunPrefix, nameof(lun.Portal), lun.Portal);
                Required(failures, lunPrefix, nameof(lun.TargetIqn), lun.TargetIqn);
                Matches(failures, lunPrefix, nameof(lun.TargetIqn), lun.TargetIqn, AgentLimits.IqnPattern, AgentLimits.IsIqn);
                InRange(failures, lunPrefix, nameof(lun.Lun), lun.Lun, 0, 16383);
            }
            InRange(failures, prefix, nameof(iscsi.HeartbeatSlot), iscsi.HeartbeatSlot, 0, AgentLimits.MaxHeartbeatSlots - 1);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>As [Required] on a string: null, empty and white space are missing.</summary>
    private static void Required(List<string> failures, string prefix, string member, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{member}: The {prefix}.{member} field is required.");
        }
    }

    /// <summary>
    /// As [RegularExpression] beside [Required]: the whole value must match; a missing value (null, empty, white space)
    /// was reported by <see cref="Required"/> alone, as the annotation validator stopped at the first failing attribute.
    /// </summary>
    private static void Matches(List<string> failures, string prefix, string member, string? value, string pattern, Func<string, bool> isMatch)
    {
        if (!string.IsNullOrWhiteSpace(value) && !isMatch(value))
        {
            failures.Add($"{member}: The field {prefix}.{member} must match the regular expression '{pattern}'.");
        }
    }

    private static void InRange(List<string> failures, string prefix, string member, int value, int minimum, int maximum)
    {
        if (value < minimum || value > maximum)
        {
            failures.Add($"{member}: The field {prefix}.{member} must be between {minimum} and {maximum}.");
        }
    }
}
