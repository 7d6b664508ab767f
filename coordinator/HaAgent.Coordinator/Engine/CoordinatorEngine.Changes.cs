using System.Text;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine.Metrics;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEngine
{
    private static readonly byte[] EngineEntryPrefix = Encoding.UTF8.GetBytes("{\"action\":\"engine.");

    /// <summary>More changed documents than this in one poll: one rebuild reads them all faster than one read each.</summary>
    private const int MaxIncrementalChanges = 5000;

    /// <summary>
    /// Spots API changes through the audit log: every API mutation commits its audit record (action, key, document)
    /// in the same transaction as the document, so reading the entries after the last seen sequence is a complete
    /// change feed whose cost is the number of new entries — nothing when nothing changed, however many VMs there
    /// are (listing 200 000 VM documents to compare versions would cost ~200 store pages per poll). A changed host,
    /// VM or rule is read again (one document read each) and applied to the live core (UpsertVm/RemoveVm/UpsertHost/
    /// RemoveHost/SetRules), which keeps every VM's state and orders in flight; a maintenance flag that changed
    /// becomes the core's MaintenanceRequest. What the core refuses for now (a VM's volumes while its host is being
    /// fenced, removing a host mid-fence) stays noted and is applied again at the next poll. The full rebuild (fresh
    /// core from every document + its own snapshot) remains the fallback: a gap in the feed, an entry it cannot
    /// place, or more changes at once than reading them one by one is worth — deferred while a host is mid-fence or
    /// mid-return, whose progress a rebuild would forget.
    /// </summary>
    private async Task PollChangesAsync(CoordinatorEnvironment env, CancellationToken cancellationToken)
    {
        var nowTicks = Environment.TickCount64;
        if (nowTicks < _term.NextChangePollTicks)
        {
            return;
        }
        _term.NextChangePollTicks = nowTicks + (long)_options.ChangePollPeriod.TotalMilliseconds;
        while (true)
        {
            var page = await _store.ReadAuditAsync(_term.FeedAfter, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Entries)
            {
                if (entry.Sequence > _term.FeedAfter + 1)
                {
                    // Both stores number entries without gaps and never delete them: a hole means entries are lost to us.
                    Log.FeedGap(_logger, _term.FeedAfter, entry.Sequence);
                    _term.RebuildPending = true;
                }
                _term.FeedAfter = entry.Sequence;
                Classify(entry.Payload);
            }
            if (!page.HasMore)
            {
                break;
            }
        }
        if (_term.DirtyHosts.Count + _term.DirtyVms.Count > MaxIncrementalChanges)
        {
            _term.RebuildPending = true;
        }
        if (_term.RebuildPending)
        {
            if (!_core!.AnyHostInTransition())
            {
                _term.RebuildPending = false;
                await RebuildAsync(env, cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        if (_term.RulesDirty || _term.DirtyHosts.Count > 0 || _term.DirtyVms.Count > 0)
        {
            await ApplyChangesAsync(env, cancellationToken).ConfigureAwait(false);
            PublishInventory();
        }
    }

    /// <summary>Hosts by configured state and VMs by protection, from what this term holds (for /metrics; no store read).</summary>
    private void PublishInventory()
    {
        var maintenance = 0;
        foreach (var host in _term.Hosts.Values)
        {
            if (host.Maintenance)
            {
                maintenance++;
            }
        }
        _metrics.SetInventory(new EngineInventory(_term.Hosts.Count - maintenance, maintenance, _term.Vms.Count + _term.UnparsedVms.Count, _term.UnprotectedVms.Count));
    }

    private void Classify(ReadOnlyMemory<byte> payload)
    {
        if (payload.Span.StartsWith(EngineEntryPrefix))
        {
            return; // our own decisions (possibly large): no need to parse them
        }
        var (action, subject) = ReadActionAndSubject(payload.Span);
        if (action is null)
        {
            return;
        }
        if (action.Contains("definition", StringComparison.Ordinal))
        {
            // Definitions are read when a start is sent; only forget the cached hash so an agent's next copy is compared again.
            if (subject is not null && subject.LastIndexOf('/') is var slash and >= 0)
            {
                _term.DefinitionHashes.Remove(subject[(slash + 1)..]);
            }
            return;
        }
        if (subject is not null && subject.StartsWith(ApiStore.HostsPrefix, StringComparison.Ordinal))
        {
            _term.DirtyHosts.Add(subject[ApiStore.HostsPrefix.Length..]);
        }
        else if (subject is not null && subject.StartsWith(ApiStore.VmsPrefix, StringComparison.Ordinal))
        {
            _term.DirtyVms.Add(subject[ApiStore.VmsPrefix.Length..]);
        }
        else if (subject is not null && subject.StartsWith(ApiStore.RulesPrefix, StringComparison.Ordinal))
        {
            _term.RulesDirty = true;
        }
        else if (action.StartsWith("host.", StringComparison.Ordinal) || action.StartsWith("vm.", StringComparison.Ordinal)
                 || action.StartsWith("rule.", StringComparison.Ordinal))
        {
            _term.RebuildPending = true; // a change we cannot place on one document: read them all
        }
    }

    /// <summary>Reads each changed document once and applies it to the live core; what the core refuses for now stays noted.</summary>
    private async Task ApplyChangesAsync(CoordinatorEnvironment env, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var core = _core!;
        var applied = 0;
        if (_term.RulesDirty)
        {
            var rules = await _documents.ListAllAsync(ApiStore.RulesPrefix, ApiJsonContext.Default.RuleDocument, cancellationToken).ConfigureAwait(false);
            core.SetRules([.. rules.Select(RuleEndpoints.ToPlacementRule)]);
            _term.RulesDirty = false;
            applied++;
        }
        var hostsChanged = false;
        foreach (var hostId in _term.DirtyHosts.ToList())
        {
            var (host, _, _) = await _documents.GetAsync(ApiStore.HostsPrefix + hostId, ApiJsonContext.Default.HostDocument, cancellationToken).ConfigureAwait(false);
            if (host is null)
            {
                if (!core.RemoveHost(hostId))
                {
                    continue; // mid-fence or mid-return: removed once that work is done
                }
                hostsChanged |= _term.Hosts.Remove(hostId);
            }
            else
            {
                var known = _term.Hosts.GetValueOrDefault(hostId);
                core.UpsertHost(ToSpec(host), _term.Agents.TryGetValue(hostId, out var agent) ? FenceIdentities.FromAgent(agent) : FenceIdentities.Unknown(hostId));
                if ((known?.Maintenance ?? false) != host.Maintenance)
                {
                    env.Observe(new MaintenanceRequest(_time.GetUtcNow(), hostId, host.Maintenance));
                }
                hostsChanged |= known is null;
                _term.Hosts[hostId] = host;
            }
            _term.DirtyHosts.Remove(hostId);
            applied++;
        }
        if (hostsChanged)
        {
            _heartbeats?.SetHosts(_term.Hosts.Keys);
        }
        foreach (var vmId in _term.DirtyVms.ToList())
        {
            var (vm, _, _) = await _documents.GetAsync(ApiStore.VmsPrefix + vmId, ApiJsonContext.Default.VmDocument, cancellationToken).ConfigureAwait(false);
            if (vm is { Protected: false })
            {
                _term.UnprotectedVms.Add(vmId);
            }
            else
            {
                _term.UnprotectedVms.Remove(vmId);
            }
            var spec = vm is { Protected: true } ? ToSpec(vm) : null;
            if (vm is { Protected: true } && spec is null)
            {
                _term.UnparsedVms.Add(vmId);
            }
            else
            {
                _term.UnparsedVms.Remove(vmId);
            }
            if (spec is not null)
            {
                if (!core.UpsertVm(spec))
                {
                    continue; // its volumes changed while its host is being fenced: applied once the round is over
                }
                _term.Vms[vmId] = spec;
            }
            else
            {
                core.RemoveVm(vmId);
                _term.Vms.Remove(vmId);
            }
            _term.DirtyVms.Remove(vmId);
            applied++;
        }
        if (applied > 0)
        {
            Interlocked.Add(ref _incrementalChanges, applied);
            LastIncremental = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Log.ChangesApplied(_logger, applied, _term.DirtyHosts.Count + _term.DirtyVms.Count, (long)LastIncremental.TotalMilliseconds);
        }
    }

    /// <summary>The top-level "action" and "subject" strings of an audit record, skipping everything else unparsed.</summary>
    private static (string? Action, string? Subject) ReadActionAndSubject(ReadOnlySpan<byte> json)
    {
        string? action = null, subject = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isAction = reader.ValueTextEquals("action"u8);
                var isSubject = reader.ValueTextEquals("subject"u8);
                reader.Read();
                if ((isAction || isSubject) && reader.TokenType == JsonTokenType.String)
                {
                    if (isAction)
                    {
                        action = reader.GetString();
                    }
                    else
                    {
                        subject = reader.GetString();
                    }
                    if (action is not null && subject is not null)
                    {
                        break;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: written by something that is not the API; not a document change.
        }
        return (action, subject);
    }
}
