using System.Diagnostics;
using System.Net;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.NativeInterop.Rados;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Fencing;

/// <summary>
/// Executes fence orders against a victim host on a peer's behalf. The order is checked whole before anything happens
/// (a malformed or stale order changes nothing), the token is persisted before the first storage call, every storage
/// step is bounded, and success is claimed only from a read-back: the blocklist listing the entries at a known
/// osdmap epoch, READ KEYS without the victim's key under a registrants-only reservation.
/// </summary>
internal sealed partial class FenceExecutor
{
    private readonly AgentStateStore _state;
    private readonly CephConnections? _ceph;
    private readonly IscsiSessionPool? _iscsi;
    private readonly TimeSpan _stepTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FenceExecutor(AgentStateStore state, CephConnections? ceph, IscsiSessionPool? iscsi, TimeSpan stepTimeout, TimeProvider time, ILogger<FenceExecutor> logger)
    {
        _state = state;
        _ceph = ceph;
        _iscsi = iscsi;
        _stepTimeout = stepTimeout;
        _time = time;
        _logger = logger;
    }

    public async Task<FenceReport> ExecuteAsync(FenceCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var startedAt = _time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var proofs = new List<FenceProof>();
        var failures = Validate(command);

        if (failures.Count == 0 && !_state.TryAdmit(command.Token, out var highest))
        {
            failures.Add(new FenceFailure(FenceFailureKind.StaleToken, command.VictimHostId, "token",
                $"order token {command.Token} is below the highest seen ({highest}): a newer coordinator has spoken"));
        }

        if (failures.Count == 0)
        {
            LogFenceStarted(command.FenceId, command.Token, command.VictimHostId, command.Targets.Count);
            foreach (var target in command.Targets)
            {
                var (proof, failure) = target switch
                {
                    CephFenceTarget ceph => await FenceCephAsync(ceph, cancellationToken).ConfigureAwait(false),
                    IscsiFenceTarget iscsi => await FenceIscsiAsync(iscsi, cancellationToken).ConfigureAwait(false),
                    _ => (null, new FenceFailure(FenceFailureKind.InvalidOrder, target.ToString(), "dispatch", "unknown target kind")),
                };
                if (proof is not null)
                {
                    proofs.Add(proof);
                }
                if (failure is not null)
                {
                    failures.Add(failure);
                }
            }
        }

        var report = new FenceReport(command.FenceId, command.Token, command.VictimHostId, startedAt, Stopwatch.GetElapsedTime(started), proofs, failures);
        if (report.Succeeded)
        {
            LogFenceProven(command.FenceId, command.VictimHostId, report.Elapsed.TotalMilliseconds, string.Join("; ", proofs));
        }
        else
        {
            LogFenceFailed(command.FenceId, command.VictimHostId, string.Join("; ", failures));
        }
        return report;
    }

    private List<FenceFailure> Validate(FenceCommand command)
    {
        var failures = new List<FenceFailure>();
        if (command.Targets.Count == 0)
        {
            failures.Add(new(FenceFailureKind.InvalidOrder, command.VictimHostId, "validate", "the order names no target"));
        }
        foreach (var target in command.Targets)
        {
            switch (target)
            {
                case CephFenceTarget ceph:
                    if (_ceph is null)
                    {
                        failures.Add(new(FenceFailureKind.NotConfigured, target.ToString(), "validate", "this agent has no Ceph section"));
                    }
                    if (ceph.ClientAddresses.Count + ceph.WholeHostIps.Count == 0)
                    {
                        failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate", "no address to blocklist"));
                    }
                    foreach (var address in ceph.ClientAddresses)
                    {
                        if (!RadosClientAddress.TryParse(address, out var parsed))
                        {
                            failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate", $"'{address}' is not IP:PORT/NONCE"));
                        }
                        else if (parsed.IsWholeHost)
                        {
                            failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate",
                                $"'{address}' has nonce 0 and would fence every client on its IP; order it under WholeHostIps to mean that"));
                        }
                    }
                    foreach (var ip in ceph.WholeHostIps)
                    {
                        if (!IPAddress.TryParse(ip, out _))
                        {
                            failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate", $"'{ip}' is not an IP address"));
                        }
                    }
                    break;
                case IscsiFenceTarget iscsi:
                    if (_iscsi is null)
                    {
                        failures.Add(new(FenceFailureKind.NotConfigured, target.ToString(), "validate", "this agent has no iSCSI section"));
                        break;
                    }
                    if (iscsi.VictimKey == 0 || iscsi.VictimKey == _iscsi.OwnKey)
                    {
                        failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate",
                            iscsi.VictimKey == 0 ? "victim key 0 means no key" : "the victim key is this host's own key"));
                    }
                    if (string.IsNullOrWhiteSpace(iscsi.TargetIqn) || iscsi.Lun is < 0 or > 16383)
                    {
                        failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate", "target IQN and LUN 0..16383 are required"));
                    }
                    if (_iscsi.PortalsFor(iscsi.Portal).Count == 0)
                    {
                        failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate", "no portal given or configured"));
                    }
                    break;
                default:
                    failures.Add(new(FenceFailureKind.InvalidOrder, target.ToString(), "validate", "unknown target kind"));
                    break;
            }
        }
        return failures;
    }

    private async Task<(FenceProof?, FenceFailure?)> FenceCephAsync(CephFenceTarget target, CancellationToken cancellationToken)
    {
        var name = target.ToString();
        var step = "connect fencer";
        RadosCluster? fencer = null;
        try
        {
            fencer = await BoundedStep.RunAsync(step, _ceph!.Fencer, _stepTimeout, cancellationToken).ConfigureAwait(false);
            // A whole-host entry on the fencer's own IP would cut this agent (and its VMs) off too, and the proof read
            // after it would fail: refuse rather than fence the wrong host. Hosts sharing one IP cannot fence each other.
            var own = fencer.ClientAddress.IPAddress;
            if (target.WholeHostIps.Any(ip => IPAddress.Parse(ip).Equals(own)))
            {
                return (null, new FenceFailure(FenceFailureKind.InvalidOrder, name, "validate",
                    $"{own} is this fencer's own address: a whole-host blocklist of it would fence this host"));
            }
            var expiry = _ceph.Options.BlocklistExpiry;
            var wanted = new List<(RadosClientAddress Address, BlocklistScope Scope)>();
            wanted.AddRange(target.ClientAddresses.Select(a => (RadosClientAddress.Parse(a), BlocklistScope.Client)));
            wanted.AddRange(target.WholeHostIps.Select(ip => (new RadosClientAddress(IPAddress.Parse(ip), 0, 0), BlocklistScope.WholeHost)));

            uint blocklistEpoch = 0;
            foreach (var (address, scope) in wanted)
            {
                step = $"blocklist add {address}";
                var cluster = fencer;
                var confirmation = await BoundedStep.RunAsync(step, () => cluster.Blocklist.Add(address, expiry, scope), _stepTimeout, cancellationToken)
                    .ConfigureAwait(false);
                blocklistEpoch = Math.Max(blocklistEpoch, confirmation.OsdMapEpoch);
            }

            step = "wait for latest osdmap";
            await BoundedStep.RunAsync(step, fencer.WaitForLatestOsdMap, _stepTimeout, cancellationToken).ConfigureAwait(false);
            step = "osd stat";
            var observed = await BoundedStep.RunAsync(step, fencer.GetOsdMapEpoch, _stepTimeout, cancellationToken).ConfigureAwait(false);
            step = "blocklist ls";
            var listed = await BoundedStep.RunAsync(step, fencer.Blocklist.List, _stepTimeout, cancellationToken).ConfigureAwait(false);

            var entries = new List<CephBlocklistProofEntry>();
            var now = _time.GetUtcNow();
            foreach (var (address, scope) in wanted)
            {
                var entry = listed.FirstOrDefault(e => e.Address == address);
                if (entry is null || entry.Until <= now)
                {
                    return (null, new FenceFailure(FenceFailureKind.ProofMissing, name, step,
                        $"{address} is not in the blocklist read back at osdmap {observed} (expired or removed concurrently)"));
                }
                entries.Add(new CephBlocklistProofEntry(entry.Target, scope == BlocklistScope.WholeHost, entry.Until));
            }
            if (observed < blocklistEpoch)
            {
                return (null, new FenceFailure(FenceFailureKind.ProofMissing, name, step, $"osdmap {observed} is older than the blocklist epoch {blocklistEpoch}"));
            }
            return (new CephBlocklistProof(blocklistEpoch, observed, entries), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (fencer is not null && e is RadosException or TimeoutException)
            {
                _ceph!.Reset(fencer);
            }
            return (null, FenceErrors.Classify(e, name, step));
        }
    }

    private async Task<(FenceProof?, FenceFailure?)> FenceIscsiAsync(IscsiFenceTarget target, CancellationToken cancellationToken)
    {
        var pool = _iscsi!;
        var ownKey = pool.OwnKey;
        var type = pool.Options.ReservationType;
        FenceFailure? lastFailure = null;
        foreach (var portal in pool.PortalsFor(target.Portal))
        {
            var lun = new IscsiLunAddress(portal, target.TargetIqn, target.Lun);
            var name = $"{lun} key=0x{target.VictimKey:X16}";
            var step = "connect";
            try
            {
                bool isNew = false;
                var session = await BoundedStep.RunAsync(step, () => pool.Get(lun, out isNew), _stepTimeout, cancellationToken).ConfigureAwait(false);

                step = "read keys (before)";
                var before = await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.ReadKeys()), _stepTimeout, cancellationToken).ConfigureAwait(false);
                if (!before.Keys.Contains(ownKey))
                {
                    return (null, new FenceFailure(FenceFailureKind.NotRegistered, name, step,
                        $"this host's key 0x{ownKey:X16} is not registered on the LUN: a host that was itself preempted must not fence others"));
                }
                if (isNew)
                {
                    step = "register";
                    await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.Register(ownKey)), _stepTimeout, cancellationToken).ConfigureAwait(false);
                }

                PersistentReserveOutAction? used = null;
                if (before.Keys.Contains(target.VictimKey))
                {
                    step = "preempt";
                    var result = await BoundedStep.RunAsync(step, () => session.PreemptAndAbortOrPreempt(ownKey, target.VictimKey, type), _stepTimeout, cancellationToken)
                        .ConfigureAwait(false);
                    used = result.Used;
                }

                step = "read reservation";
                var reservation = await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.ReadReservation()), _stepTimeout, cancellationToken).ConfigureAwait(false);
                if (!reservation.IsReserved)
                {
                    // PREEMPT without a reservation only removes registrations: with nothing reserved anyone may write.
                    step = "reserve";
                    await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.Reserve(ownKey, type)), _stepTimeout, cancellationToken).ConfigureAwait(false);
                    step = "read reservation";
                    reservation = await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.ReadReservation()), _stepTimeout, cancellationToken).ConfigureAwait(false);
                }

                step = "read keys (proof)";
                var after = await BoundedStep.RunAsync(step, () => IscsiPrSteps.Once(session, s => s.ReadKeys()), _stepTimeout, cancellationToken).ConfigureAwait(false);
                var proof = new IscsiKeysProof(portal, target.TargetIqn, target.Lun, after.Generation, after.Keys, target.VictimKey,
                    reservation.IsReserved ? reservation.Key : 0, reservation.Type, used);
                if (!proof.VictimAbsent)
                {
                    return (proof, new FenceFailure(FenceFailureKind.ProofMissing, name, step, $"victim key still registered: {proof}"));
                }
                if (!reservation.IsReserved || !IscsiPrSteps.IsRegistrantsOnly(reservation.Type))
                {
                    return (proof, new FenceFailure(FenceFailureKind.ProofMissing, name, step, $"no registrants-only reservation: {proof}"));
                }
                return (proof, null);
            }
            catch (IscsiConnectException e)
            {
                // Another portal of the same target may answer.
                lastFailure = FenceErrors.Classify(e, name, step);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (null, FenceErrors.Classify(e, name, step));
            }
        }
        return (null, lastFailure ?? new FenceFailure(FenceFailureKind.Unreachable, target.ToString(), "connect", "no portal"));
    }

    [LoggerMessage(EventId = AgentEventIds.FenceStarted, Level = LogLevel.Warning, Message = "Fence {FenceId} (token {Token}) of host {Victim}: {Targets} target(s)")]
    private partial void LogFenceStarted(string fenceId, long token, string victim, int targets);

    [LoggerMessage(EventId = AgentEventIds.FenceProven, Level = LogLevel.Warning, Message = "Fence {FenceId} of host {Victim} proven in {ElapsedMs:F1} ms: {Proofs}")]
    private partial void LogFenceProven(string fenceId, string victim, double elapsedMs, string proofs);

    [LoggerMessage(EventId = AgentEventIds.FenceFailed, Level = LogLevel.Error, Message = "Fence {FenceId} of host {Victim} FAILED: {Failures}")]
    private partial void LogFenceFailed(string fenceId, string victim, string failures);
}
