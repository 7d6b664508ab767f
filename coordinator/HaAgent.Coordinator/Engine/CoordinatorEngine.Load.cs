using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Coordination;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEngine
{
    public const string SnapshotKey = "engine/snapshot";
    public const string VmShardPrefix = "engine/vms/";
    public const string AgentsPrefix = "agents/";
    public const string DefinitionsPrefix = "vmdefs/";
    public const int VmShardCount = 256;

    /// <summary>Loads everything a term starts from and builds the core; false when leadership ended meanwhile.</summary>
    private async Task<bool> LoadAsync(CoordinatorEnvironment env, CancellationToken cancellationToken)
    {
        while (true)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var snapshot = await ReadSnapshotAsync(cancellationToken).ConfigureAwait(false);
                // The feed position first: a change made while the documents load is then seen once more, never missed.
                _term.FeedAfter = await AuditTailAsync(snapshot.Document?.AuditSequence ?? 0, cancellationToken).ConfigureAwait(false);
                _term.Agents = await LoadAgentsAsync(cancellationToken).ConfigureAwait(false);
                var documents = await LoadDocumentsAsync(cancellationToken).ConfigureAwait(false);
                var fenced = new Dictionary<string, IReadOnlyList<FenceTarget>>(StringComparer.Ordinal);
                foreach (var (hostId, targets) in snapshot.Document?.Fenced ?? [])
                {
                    fenced[hostId] = [.. targets.Select(ToTarget).Where(static t => t is not null).Select(static t => t!)];
                }
                var fencing = new Dictionary<string, FenceInProgress>(StringComparer.Ordinal);
                foreach (var (hostId, inProgress) in snapshot.Document?.Fencing ?? [])
                {
                    fencing[hostId] = new FenceInProgress(inProgress.Epoch, inProgress.FenceId, inProgress.Executor, inProgress.Evidence);
                }
                BuildCore(env, documents, snapshot.Placement, fenced, snapshot.Released, fencing);
                LastLoad = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                Log.Loaded(_logger, env.Leadership.Epoch, _term.Hosts.Count, _term.Vms.Count, snapshot.Document is not null, snapshot.Placement.Count,
                    (long)LastLoad.TotalMilliseconds);
                return true;
            }
            catch (StoreUnavailableException e)
            {
                Log.StoreUnavailable(_logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                if (env.Leadership.IsLost)
                {
                    return false;
                }
            }
        }
    }

    private async Task<(SnapshotDocument? Document, Dictionary<string, string> Placement, List<string> Released)> ReadSnapshotAsync(CancellationToken cancellationToken)
    {
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        var released = new List<string>();
        var stored = await _store.GetAsync(SnapshotKey, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return (null, placement, released);
        }
        var snapshot = JsonSerializer.Deserialize(stored.Value.Span, EngineJsonContext.Default.SnapshotDocument);
        if (snapshot is null || snapshot.FormatVersion != SnapshotDocument.CurrentFormatVersion)
        {
            throw new InvalidOperationException($"{SnapshotKey} has format {snapshot?.FormatVersion}, this engine reads {SnapshotDocument.CurrentFormatVersion}");
        }
        string? after = null;
        do
        {
            var page = await _store.ListAsync(VmShardPrefix, after, StoreLimits.MaxPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var document in page.Documents)
            {
                if (JsonSerializer.Deserialize(document.Value.Span, EngineJsonContext.Default.VmShardDocument) is { } shard)
                {
                    if (snapshot.VmShards == VmShardCount && int.TryParse(document.Key.AsSpan(VmShardPrefix.Length), out var index) && index is >= 0 and < VmShardCount)
                    {
                        _term.Shards[index] = shard;
                    }
                    foreach (var (vmId, hostId) in shard.Placement)
                    {
                        placement[vmId] = hostId;
                    }
                    released.AddRange(shard.Released);
                }
            }
            after = page.NextStartAfter;
        }
        while (after is not null);
        return (snapshot, placement, released);
    }

    /// <summary>The newest audit sequence, reading on from <paramref name="after"/> (the previous leader's last position).</summary>
    private async Task<long> AuditTailAsync(long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await _store.ReadAuditAsync(after, StoreLimits.MaxPageSize, cancellationToken).ConfigureAwait(false);
            if (page.Entries.Count > 0)
            {
                after = page.Entries[^1].Sequence;
            }
            if (!page.HasMore)
            {
                return after;
            }
        }
    }

    private async Task<Dictionary<string, AgentDocument>> LoadAgentsAsync(CancellationToken cancellationToken)
    {
        var agents = new Dictionary<string, AgentDocument>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = await _store.ListAsync(AgentsPrefix, after, StoreLimits.MaxPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var document in page.Documents)
            {
                if (JsonSerializer.Deserialize(document.Value.Span, EngineJsonContext.Default.AgentDocument) is { } agent)
                {
                    agents[agent.HostId] = agent;
                }
            }
            after = page.NextStartAfter;
        }
        while (after is not null);
        return agents;
    }

    private async Task<(List<HostDocument> Hosts, List<VmDocument> Vms, List<RuleDocument> Rules)> LoadDocumentsAsync(CancellationToken cancellationToken)
    {
        var hosts = await _documents.ListAllAsync(ApiStore.HostsPrefix, ApiJsonContext.Default.HostDocument, cancellationToken).ConfigureAwait(false);
        var vms = await _documents.ListAllAsync(ApiStore.VmsPrefix, ApiJsonContext.Default.VmDocument, cancellationToken).ConfigureAwait(false);
        var rules = await _documents.ListAllAsync(ApiStore.RulesPrefix, ApiJsonContext.Default.RuleDocument, cancellationToken).ConfigureAwait(false);
        return (hosts, vms, rules);
    }

    /// <summary>
    /// A new core from the documents and the given state. Only HA-protected VMs are the core's business. Hosts in
    /// maintenance are told so through the core's own observation, as an operator's request would be.
    /// </summary>
    private void BuildCore(
        CoordinatorEnvironment env,
        (List<HostDocument> Hosts, List<VmDocument> Vms, List<RuleDocument> Rules) documents,
        IReadOnlyDictionary<string, string> placement,
        IReadOnlyDictionary<string, IReadOnlyList<FenceTarget>> fenced,
        IReadOnlyList<string> released,
        IReadOnlyDictionary<string, FenceInProgress> fencing)
    {
        var hosts = documents.Hosts.Select(ToSpec).ToList();
        var orphans = OrphanHosts(documents.Hosts, placement, fencing);
        hosts.AddRange(orphans.Select(static id => new HostSpec(id, 0, 0, FailureDomains.None)));
        var identities = hosts.Select(h => _term.Agents.TryGetValue(h.Id, out var agent) ? FenceIdentities.FromAgent(agent) : FenceIdentities.Unknown(h.Id)).ToList();
        var vms = new Dictionary<string, VmSpec>(StringComparer.Ordinal);
        var unprotected = new HashSet<string>(StringComparer.Ordinal);
        var unparsed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vm in documents.Vms)
        {
            if (!vm.Protected)
            {
                unprotected.Add(vm.Id);
                continue;
            }
            if (ToSpec(vm) is { } spec)
            {
                vms[vm.Id] = spec;
            }
            else
            {
                unparsed.Add(vm.Id);
            }
        }
        var rules = documents.Rules.Select(RuleEndpoints.ToPlacementRule).ToList();
        var cluster = new HaCluster(hosts, identities, [.. vms.Values], rules, placement, fenced, released, fencing);
        _core = new HaCoordinator(env, _planner, _options.Core, cluster);
        _term.Hosts = documents.Hosts.ToDictionary(static h => h.Id, StringComparer.Ordinal);
        _term.Vms = vms;
        _term.UnprotectedVms = unprotected;
        _term.UnparsedVms = unparsed;
        // Everything the documents said is in this core now: changes noted before are applied by it.
        _term.DirtyHosts.Clear();
        _term.DirtyHosts.UnionWith(orphans); // their documents are gone: the removal is asked again at the first poll
        _term.DirtyVms.Clear();
        _term.RulesDirty = false;
        _term.FullShardSync = true; // the next commit compares the whole placement with the shards
        _term.UnsyncedVms.Clear();
        QueueHostReconciliation(documents.Vms);
        PublishInventory();
        _heartbeats?.SetHosts(_term.Hosts.Keys);
        var now = _time.GetUtcNow();
        foreach (var host in documents.Hosts)
        {
            if (host.Maintenance)
            {
                env.Observe(new MaintenanceRequest(now, host.Id, true));
            }
        }
    }

    /// <summary>
    /// Hosts without a document that the persisted state still places VMs on or is fencing: their removal was deferred
    /// (HA VMs still assigned, or mid-fence) or slipped past the API's check. Left out, their VMs would become unknown —
    /// watched by nobody. They are kept (no capacity, so nothing new lands there) and their removal is asked again, so
    /// the core drains or fences them first, as the previous leader was doing.
    /// </summary>
    private static List<string> OrphanHosts(List<HostDocument> documents, IReadOnlyDictionary<string, string> placement, IReadOnlyDictionary<string, FenceInProgress> fencing)
    {
        var known = new HashSet<string>(documents.Select(static h => h.Id), StringComparer.Ordinal);
        var orphans = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var hostId in placement.Values)
        {
            if (!known.Contains(hostId))
            {
                orphans.Add(hostId);
            }
        }
        foreach (var hostId in fencing.Keys)
        {
            if (!known.Contains(hostId))
            {
                orphans.Add(hostId);
            }
        }
        return [.. orphans];
    }

    /// <summary>The core's view of a protected VM document; null (logged) when a volume does not parse.</summary>
    private VmSpec? ToSpec(VmDocument vm)
    {
        try
        {
            return new VmSpec(vm.Id, vm.Cpus, vm.MemoryMiB, [.. vm.Volumes.Select(VolumeRef.Parse)], vm.Priority, vm.Group);
        }
        catch (FormatException e)
        {
            Log.DocumentSkipped(_logger, ApiStore.VmsPrefix + vm.Id, e.Message);
            return null;
        }
    }

    private static HostSpec ToSpec(HostDocument host) => new(host.Id, host.Cpus, host.MemoryMiB, new FailureDomains(host.Rack, host.Power, host.Zone));

    /// <summary>The documents changed: a new core from fresh documents and the current core's own snapshot.</summary>
    private async Task RebuildAsync(CoordinatorEnvironment env, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var documents = await LoadDocumentsAsync(cancellationToken).ConfigureAwait(false);
        var (placement, fenced, released) = _core!.Snapshot();
        BuildCore(env, documents, placement, fenced, released, _core.FencesInProgress());
        env.ReplayLastVmReports();
        _term.Rebuilt = true;
        LastRebuild = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Interlocked.Increment(ref _rebuilds);
        Log.Rebuilt(_logger, env.Leadership.Epoch, _term.Hosts.Count, _term.Vms.Count, (long)LastRebuild.TotalMilliseconds);
    }

    private static FenceTarget? ToTarget(FenceTargetDocument document) => document.Kind switch
    {
        "ceph-blocklist" when document.Addresses is { } addresses => new CephBlocklistTarget(addresses),
        "iscsi-preempt" when document.Target is { } target && document.Lun is { } lun && document.VictimKey is { } key => new IscsiPreemptTarget(target, lun, key),
        _ => null,
    };

    private static FenceTargetDocument ToDocument(FenceTarget target) => target switch
    {
        CephBlocklistTarget ceph => new FenceTargetDocument("ceph-blocklist", [.. ceph.Addresses], null, null, null),
        IscsiPreemptTarget iscsi => new FenceTargetDocument("iscsi-preempt", null, iscsi.Target, iscsi.Lun, iscsi.VictimKey),
        _ => throw new InvalidOperationException($"unknown fence target {target}"),
    };
}
