using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Coordination;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEngine
{
    /// <summary>
    /// Hello → fence identity (core updated at once, <c>agents/&lt;host&gt;</c> written when it changed);
    /// VmDefinition → <c>vmdefs/&lt;vm&gt;</c> written only when the XML differs from the stored one. Writes go in
    /// batches of the store's commit size; whatever the store did not take is retried next step.
    /// </summary>
    private async Task ApplyAgentUpdatesAsync(CoordinatorEnvironment env, CancellationToken cancellationToken)
    {
        while (env.TryTakeAgentUpdate(out var update))
        {
            switch (update.Message)
            {
                case HelloMessage hello:
                    OnHello(hello, update.ReceivedAt);
                    break;
                case VmDefinitionMessage definition:
                    await OnDefinitionAsync(definition, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    break;
            }
        }
        if (_term.PendingWrites.Count == 0)
        {
            return;
        }
        foreach (var batch in _term.PendingWrites.Values.Chunk(MaxWritesPerCommit).ToList())
        {
            var result = await _store.CommitAsync(env.Leadership, batch, null, cancellationToken).ConfigureAwait(false);
            if (result.Committed)
            {
                foreach (var write in batch)
                {
                    _term.PendingWrites.Remove(write.Key);
                }
            }
        }
    }

    private const int MaxWritesPerCommit = 50;

    private void OnHello(HelloMessage hello, DateTimeOffset receivedAt)
    {
        var agent = new AgentDocument(
            hello.HostId,
            hello.Incarnation,
            hello.AgentVersion,
            [.. hello.Fence.CephClientAddresses.Select(FenceIdentities.NormalizeCephAddress)],
            hello.Fence.IscsiPrKey is { } key ? FenceIdentities.NormalizeKey(key) : null,
            receivedAt);
        if (_term.Agents.TryGetValue(hello.HostId, out var known) && known.Incarnation == agent.Incarnation
            && known.CephClientAddresses.SequenceEqual(agent.CephClientAddresses, StringComparer.Ordinal)
            && known.IscsiPrKey == agent.IscsiPrKey && known.AgentVersion == agent.AgentVersion)
        {
            return;
        }
        _term.Agents[hello.HostId] = agent;
        _core!.UpdateFenceIdentity(FenceIdentities.FromAgent(agent));
        var key2 = AgentsPrefix + hello.HostId;
        _term.PendingWrites[key2] = DocumentWrite.Put(key2, JsonSerializer.SerializeToUtf8Bytes(agent, EngineJsonContext.Default.AgentDocument));
    }

    private async Task OnDefinitionAsync(VmDefinitionMessage definition, CancellationToken cancellationToken)
    {
        // Only the host that runs a VM (or any host, for a VM not placed anywhere) may describe it: one host's agent
        // must not rewrite what another host's VM starts as.
        if (_term.Vms.ContainsKey(definition.VmId) && _core!.VmStateOf(definition.VmId) is { HostId: { } owner, State: not VmState.Pending }
            && !string.Equals(owner, definition.HostId, StringComparison.Ordinal))
        {
            Log.DefinitionIgnored(_logger, definition.VmId, definition.HostId, owner);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(definition.DomainXml);
        var hash = SHA256.HashData(bytes);
        if (_term.DefinitionHashes.TryGetValue(definition.VmId, out var known) && known.AsSpan().SequenceEqual(hash))
        {
            return;
        }
        var key = DefinitionsPrefix + definition.VmId;
        var stored = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        _term.DefinitionHashes[definition.VmId] = hash;
        if (stored is not null && stored.Value.Span.SequenceEqual(bytes))
        {
            return;
        }
        _term.PendingWrites[key] = DocumentWrite.Put(key, bytes);
    }
}
