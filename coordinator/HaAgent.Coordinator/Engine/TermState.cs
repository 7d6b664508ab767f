using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Model;

namespace HaAgent.Coordinator.Engine;

/// <summary>What the engine keeps for one term of leadership besides the core itself.</summary>
internal sealed class TermState
{
    public long Steps;

    /// <summary>Host documents as last applied to the core (maintenance flag compared on change).</summary>
    public Dictionary<string, HostDocument> Hosts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>VM documents known and not protected (counted for /metrics; not the core's business).</summary>
    public HashSet<string> UnprotectedVms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Protected VM documents the core could not take (a volume did not parse): still counted as protected.</summary>
    public HashSet<string> UnparsedVms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Hosts whose document changed (audit feed) and is not applied to the core yet.</summary>
    public HashSet<string> DirtyHosts { get; } = new(StringComparer.Ordinal);

    /// <summary>VMs whose document changed (audit feed) and is not applied to the core yet (or was refused for now).</summary>
    public HashSet<string> DirtyVms { get; } = new(StringComparer.Ordinal);

    public bool RulesDirty { get; set; }

    public Dictionary<string, VmSpec> Vms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Fence identities by host, as persisted in <c>agents/&lt;host&gt;</c>.</summary>
    public Dictionary<string, AgentDocument> Agents { get; set; } = new(StringComparer.Ordinal);

    /// <summary>SHA-256 of the last domain XML known stored per VM, so an unchanged VmDefinition costs no store call.</summary>
    public Dictionary<string, byte[]> DefinitionHashes { get; } = new(StringComparer.Ordinal);

    /// <summary>Agent documents and definitions not written yet (the store did not answer); retried every step.</summary>
    public Dictionary<string, DocumentWrite> PendingWrites { get; } = new(StringComparer.Ordinal);

    /// <summary>The audit log is read past this sequence for API changes.</summary>
    public long FeedAfter { get; set; }

    public long NextChangePollTicks { get; set; }

    public bool RebuildPending { get; set; }

    /// <summary>A rebuilt core announces "epoch 0 => N: leading" again; that record is dropped, the term did not change.</summary>
    public bool Rebuilt { get; set; }

    /// <summary>Each VM shard as last committed (null: never written); only changed shards are serialised and written.</summary>
    public VmShardDocument?[] Shards { get; } = new VmShardDocument?[CoordinatorEngine.VmShardCount];

    /// <summary>
    /// The shards equal the core only after a whole comparison (term start, rebuild); until that commit succeeded,
    /// a commit compares the whole placement instead of only the VMs the core says changed.
    /// </summary>
    public bool FullShardSync { get; set; } = true;

    /// <summary>VMs whose state or host changed (from the core) and are not committed in their shard yet.</summary>
    public HashSet<string> UnsyncedVms { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Host to write into a VM's API document (<c>vms/&lt;id&gt;</c> "host"; null: not running anywhere), coalesced per
    /// VM and written in batches after the step's commit.
    /// </summary>
    public Dictionary<string, string?> HostWrites { get; } = new(StringComparer.Ordinal);

    public long OrderCounter;
}
