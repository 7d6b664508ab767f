using System.Net;
using System.Net.NetworkInformation;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.NativeInterop.Rados;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Fencing;

/// <summary>
/// Lifts this host's own fence: removes its blocklist entries and registers its PR key again. Both let an old handle or
/// nexus write again, so both are refused unless the caller says this host's leftover VMs are dead AND libvirt
/// agrees; a stale token is refused like a fence's.
/// </summary>
internal sealed partial class UnfenceExecutor
{
    private readonly AgentStateStore _state;
    private readonly CephConnections? _ceph;
    private readonly IscsiSessionPool? _iscsi;
    private readonly ILeftoverVmCheck _vms;
    private readonly TimeSpan _stepTimeout;
    private readonly Func<IReadOnlySet<IPAddress>> _localAddresses;
    private readonly ILogger _logger;
    private readonly Action? _onCephUnfenced;

    public UnfenceExecutor(
        AgentStateStore state,
        CephConnections? ceph,
        IscsiSessionPool? iscsi,
        ILeftoverVmCheck vms,
        TimeSpan stepTimeout,
        ILogger<UnfenceExecutor> logger,
        Func<IReadOnlySet<IPAddress>>? localAddresses = null,
        Action? onCephUnfenced = null)
    {
        _onCephUnfenced = onCephUnfenced;
        _state = state;
        _ceph = ceph;
        _iscsi = iscsi;
        _vms = vms;
        _stepTimeout = stepTimeout;
        _logger = logger;
        _localAddresses = localAddresses ?? LocalAddresses;
    }

    public async Task<UnfenceReport> ExecuteAsync(UnfenceCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var failures = new List<FenceFailure>();
        var proofs = new List<FenceProof>();
        var addresses = ValidateCeph(command, failures);
        if (command.IscsiLuns.Count > 0 && _iscsi is null)
        {
            failures.Add(new(FenceFailureKind.NotConfigured, "iscsi", "validate", "this agent has no iSCSI section"));
        }
        if (failures.Count == 0)
        {
            await CheckVmsDeadAsync(command, failures, cancellationToken).ConfigureAwait(false);
        }
        if (failures.Count == 0 && !_state.TryAdmit(command.Token, out var highest))
        {
            failures.Add(new(FenceFailureKind.StaleToken, "unfence", "token", $"order token {command.Token} is below the highest seen ({highest})"));
        }
        if (failures.Count == 0)
        {
            if (addresses.Count > 0)
            {
                await UnblockCephAsync(addresses, proofs, failures, cancellationToken).ConfigureAwait(false);
            }
            foreach (var lun in command.IscsiLuns)
            {
                await RegisterIscsiAsync(lun, proofs, failures, cancellationToken).ConfigureAwait(false);
            }
        }

        var report = new UnfenceReport(command.UnfenceId, command.Token, proofs, failures);
        if (report.Succeeded)
        {
            LogUnfenced(command.UnfenceId, proofs.Count);
        }
        else
        {
            LogUnfenceFailed(command.UnfenceId, string.Join("; ", failures));
        }
        return report;
    }

    private List<RadosClientAddress> ValidateCeph(UnfenceCommand command, List<FenceFailure> failures)
    {
        var addresses = new List<RadosClientAddress>();
        if (command.CephAddresses.Count == 0)
        {
            return addresses;
        }
        if (_ceph is null)
        {
            failures.Add(new(FenceFailureKind.NotConfigured, "ceph", "validate", "this agent has no Ceph section"));
            return addresses;
        }
        var local = _localAddresses();
        foreach (var text in command.CephAddresses)
        {
            if (!RadosClientAddress.TryParse(text, out var address))
            {
                failures.Add(new(FenceFailureKind.InvalidOrder, text, "validate", $"'{text}' is not IP:PORT/NONCE"));
            }
            else if (!local.Contains(address.IPAddress))
            {
                failures.Add(new(FenceFailureKind.NotOwnAddress, text, "validate",
                    $"{address.IPAddress} is not an address of this host: an agent lifts only its own fence"));
            }
            else
            {
                addresses.Add(address);
            }
        }
        return addresses;
    }

    private async Task CheckVmsDeadAsync(UnfenceCommand command, List<FenceFailure> failures, CancellationToken cancellationToken)
    {
        if (!command.CallerConfirmsVmsDead)
        {
            failures.Add(new(FenceFailureKind.LeftoverVmsRunning, "host", "confirm", "the caller did not confirm this host's leftover VMs are dead"));
            return;
        }
        try
        {
            var live = await _vms.FindLiveManagedVmsAsync(cancellationToken).WaitAsync(_stepTimeout, cancellationToken).ConfigureAwait(false);
            if (live.Count > 0)
            {
                failures.Add(new(FenceFailureKind.LeftoverVmsRunning, "host", "libvirt",
                    $"HA-managed VMs not shut off: {string.Join(", ", live)}"));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failures.Add(new(FenceFailureKind.LeftoverVmsRunning, "host", "libvirt", $"cannot tell whether leftover VMs are dead: {e.Message}"));
        }
    }

    private async Task UnblockCephAsync(List<RadosClientAddress> addresses, List<FenceProof> proofs, List<FenceFailure> failures, CancellationToken cancellationToken)
    {
        var step = "connect fencer";
        RadosCluster? fencer = null;
        try
        {
            fencer = await BoundedStep.RunAsync(step, _ceph!.Fencer, _stepTimeout, cancellationToken).ConfigureAwait(false);
            foreach (var address in addresses)
            {
                step = $"blocklist rm {address}";
                var cluster = fencer;
                await BoundedStep.RunAsync(step, () => cluster.Blocklist.Remove(address), _stepTimeout, cancellationToken).ConfigureAwait(false);
            }
            step = "blocklist ls";
            var listed = await BoundedStep.RunAsync(step, fencer.Blocklist.List, _stepTimeout, cancellationToken).ConfigureAwait(false);
            var still = addresses.Where(a => listed.Any(e => e.Address == a)).ToArray();
            if (still.Length > 0)
            {
                failures.Add(new(FenceFailureKind.ProofMissing, "ceph", step, $"still blocklisted: {string.Join(", ", still.Select(a => a.ToString()))}"));
                return;
            }
            step = "osd stat";
            var epoch = await BoundedStep.RunAsync(step, fencer.GetOsdMapEpoch, _stepTimeout, cancellationToken).ConfigureAwait(false);
            proofs.Add(new CephUnblockProof([.. addresses.Select(a => a.ToString())], epoch));
            // The host's own client died with the fence; its users (the heartbeat) must connect anew.
            _onCephUnfenced?.Invoke();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (fencer is not null && e is RadosException or TimeoutException)
            {
                _ceph!.Reset(fencer);
            }
            failures.Add(FenceErrors.Classify(e, "ceph", step));
        }
    }

    private async Task RegisterIscsiAsync(IscsiUnfenceTarget target, List<FenceProof> proofs, List<FenceFailure> failures, CancellationToken cancellationToken)
    {
        var pool = _iscsi!;
        var ownKey = pool.OwnKey;
        FenceFailure? lastFailure = null;
        foreach (var portal in pool.PortalsFor(target.Portal))
        {
            var lun = new IscsiLunAddress(portal, target.TargetIqn, target.Lun);
            var step = "connect";
            try
            {
                var session = await BoundedStep.RunAsync(step, () => pool.Get(lun, out _), _stepTimeout, cancellationToken).ConfigureAwait(false);
                step = "register and ignore existing key";
                await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.RegisterAndIgnoreExistingKey(ownKey)), _stepTimeout, cancellationToken)
                    .ConfigureAwait(false);
                step = "read keys (proof)";
                var keys = await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.ReadKeys()), _stepTimeout, cancellationToken).ConfigureAwait(false);
                if (!keys.Keys.Contains(ownKey))
                {
                    failures.Add(new(FenceFailureKind.ProofMissing, lun.ToString(), step, $"own key 0x{ownKey:X16} not listed after registering"));
                    return;
                }
                proofs.Add(new IscsiRegisteredProof(portal, target.TargetIqn, target.Lun, keys.Generation, keys.Keys));
                return;
            }
            catch (NativeInterop.Iscsi.IscsiConnectException e)
            {
                lastFailure = FenceErrors.Classify(e, lun.ToString(), step);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add(FenceErrors.Classify(e, lun.ToString(), step));
                return;
            }
        }
        failures.Add(lastFailure ?? new FenceFailure(FenceFailureKind.Unreachable, target.ToString(), "connect", "no portal"));
    }

    private static HashSet<IPAddress> LocalAddresses() =>
        [.. NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)];

    [LoggerMessage(EventId = AgentEventIds.UnfenceDone, Level = LogLevel.Warning, Message = "Unfence {UnfenceId} done: {Proofs} proof(s)")]
    private partial void LogUnfenced(string unfenceId, int proofs);

    [LoggerMessage(EventId = AgentEventIds.UnfenceFailed, Level = LogLevel.Error, Message = "Unfence {UnfenceId} refused or failed: {Failures}")]
    private partial void LogUnfenceFailed(string unfenceId, string failures);
}
