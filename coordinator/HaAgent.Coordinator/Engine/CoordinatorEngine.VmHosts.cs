using System.Diagnostics;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Coordination;

namespace HaAgent.Coordinator.Engine;

/// <summary>
/// Keeps the "host" of each protected VM's API document (what GET /v1/vms/{id} shows) equal to where the core placed,
/// started, adopted or released it. Written after the step's commit, in coalesced batches (≤ 50 documents per store
/// commit, each a compare-and-swap on the version just read, no audit record: the step's own audit entry already
/// holds the decision), within a small time budget per loop iteration, so a failover of thousands of VMs never
/// stalls the decisions: the rest is written in the following iterations. The document only follows the core; the
/// core never reads it.
/// </summary>
internal sealed partial class CoordinatorEngine
{
    /// <summary>At most this long per loop iteration writing VM documents (at least one batch is always tried).</summary>
    private static readonly TimeSpan HostWriteBudget = TimeSpan.FromMilliseconds(30);

    /// <summary>Queues the current host of each VM the core reports changed (committed just now).</summary>
    private void QueueHostWrites(IEnumerable<string> vmIds)
    {
        var core = _core!;
        foreach (var vmId in vmIds)
        {
            if (!core.TryGetVmState(vmId, out var state, out var hostId))
            {
                _term.HostWrites.Remove(vmId); // no longer managed: its document is the operator's alone again
                continue;
            }
            switch (state)
            {
                case VmState.Running or VmState.Starting or VmState.Stopping:
                    _term.HostWrites[vmId] = hostId;
                    break;
                case VmState.Pending:
                    _term.HostWrites[vmId] = null; // proven stopped, not started anywhere yet
                    break;
                default:
                    break; // unknown: nothing to say
            }
        }
    }

    /// <summary>At term start and after a rebuild: every protected VM whose document names another host than the core's.</summary>
    private void QueueHostReconciliation(IReadOnlyList<VmDocument> documents)
    {
        var core = _core!;
        foreach (var vm in documents)
        {
            if (!vm.Protected || !core.TryGetVmState(vm.Id, out var state, out var hostId))
            {
                continue;
            }
            var desired = state switch
            {
                VmState.Running or VmState.Starting or VmState.Stopping => hostId,
                VmState.Pending => null,
                _ => vm.Host,
            };
            if (!string.Equals(desired, vm.Host, StringComparison.Ordinal))
            {
                _term.HostWrites[vm.Id] = desired;
            }
        }
    }

    /// <summary>Writes queued hosts into VM documents, batch by batch, until the queue is empty or the budget is spent.</summary>
    private async Task FlushVmHostsAsync(Leadership leadership, CancellationToken cancellationToken)
    {
        if (_term.HostWrites.Count == 0)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var written = 0;
        do
        {
            var batch = _term.HostWrites.Take(StoreLimits.MaxBatchWrites).ToList();
            var writes = new List<DocumentWrite>(batch.Count);
            var inBatch = new List<KeyValuePair<string, string?>>(batch.Count);
            foreach (var entry in batch)
            {
                var key = ApiStore.VmsPrefix + entry.Key;
                var stored = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                var document = stored is null ? null : JsonSerializer.Deserialize(stored.Value.Span, ApiJsonContext.Default.VmDocument);
                if (stored is null || document is null || string.Equals(document.Host, entry.Value, StringComparison.Ordinal))
                {
                    _term.HostWrites.Remove(entry.Key);
                    continue;
                }
                writes.Add(DocumentWrite.Put(key, JsonSerializer.SerializeToUtf8Bytes(document with { Host = entry.Value, Version = 0 }, ApiJsonContext.Default.VmDocument), stored.Version));
                inBatch.Add(entry);
            }
            if (writes.Count == 0)
            {
                continue;
            }
            var result = await _store.CommitAsync(leadership, writes, null, cancellationToken).ConfigureAwait(false);
            if (!result.Committed)
            {
                // An operator changed one of them meanwhile: the whole batch is read and tried again next iteration.
                break;
            }
            foreach (var entry in inBatch)
            {
                if (_term.HostWrites.TryGetValue(entry.Key, out var queued) && string.Equals(queued, entry.Value, StringComparison.Ordinal))
                {
                    _term.HostWrites.Remove(entry.Key);
                }
            }
            written += writes.Count;
        }
        while (_term.HostWrites.Count > 0 && Stopwatch.GetElapsedTime(started) < HostWriteBudget);
        if (written > 0)
        {
            Interlocked.Add(ref _vmHostsWritten, written);
            Log.VmHostsWritten(_logger, written, _term.HostWrites.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
