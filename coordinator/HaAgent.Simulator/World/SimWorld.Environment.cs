using System.Diagnostics.CodeAnalysis;
using HaAgent.Core.Env;
using HaAgent.Core.Observations;

namespace HaAgent.Simulator.World;

internal sealed partial class SimWorld
{
    public TimeProvider Time => _time;

    public long Epoch { get; private set; }

    public bool TryTakeObservation([NotNullWhen(true)] out Observation? observation) => _inbox.TryDequeue(out observation);

    public bool TryReadStorageHeartbeat(string hostId, out StorageHeartbeat heartbeat) => _storage.TryGetValue(hostId, out heartbeat);

    public void Audit(AuditRecord record)
    {
        Write($"[{Kebab(record.Kind)}] {record.Subject}: {record.Decision}");
        _log.Add($"{"",18}evidence: {record.Evidence}");
    }

    public void OrderFence(FenceOrder order)
    {
        if (Accept(order.ExecutorHostId, order.Token, $"fence order {order.FenceId}") is not { } executor)
        {
            return;
        }
        Schedule(_cluster.Settings.FenceDuration, () => ExecuteFence(executor, order));
    }

    public void OrderUnfence(UnfenceOrder order)
    {
        if (Accept(order.HostId, order.Token, $"unfence order {order.UnfenceId}") is not { } host)
        {
            return;
        }
        Schedule(_cluster.Settings.UnfenceDuration, () => ExecuteUnfence(host, order));
    }

    public void OrderStart(VmStartOrder order)
    {
        if (Accept(order.HostId, order.Token, $"start order for {order.VmId}") is not { } host)
        {
            return;
        }
        Schedule(_cluster.Settings.StartDuration, () => ExecuteStart(host, order));
    }

    public void OrderStop(VmStopOrder order)
    {
        if (Accept(order.HostId, order.Token, $"stop order for {order.VmId}") is not { } host)
        {
            return;
        }
        Schedule(_cluster.Settings.StopDuration, () => ExecuteStop(host, order));
    }

    /// <summary>An order reaches a reachable agent that has not obeyed a newer token.</summary>
    private SimHost? Accept(string hostId, long token, string what)
    {
        var host = _hostById[hostId];
        if (!host.Reachable)
        {
            Write($"   {what} to {hostId} lost: unreachable");
            return null;
        }
        if (token < host.MaxToken)
        {
            Write($"   {hostId} refuses {what}: token {token} < {host.MaxToken} already obeyed");
            return null;
        }
        host.MaxToken = token;
        return host;
    }

    private void Deliver(SimHost from, Observation observation, string what)
    {
        if (from.Reachable)
        {
            _inbox.Enqueue(observation);
        }
        else
        {
            Write($"   {what} from {from.Id} lost: unreachable");
        }
    }

    private static string Kebab(AuditKind kind)
    {
        var name = kind.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
