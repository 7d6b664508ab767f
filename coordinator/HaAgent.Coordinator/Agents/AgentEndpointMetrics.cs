using System.Globalization;
using System.Text;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// Counters of the agent endpoint and outbox, cheap enough for every heartbeat (one interlocked increment). The
/// metrics endpoint prints them with <see cref="WritePrometheus"/>.
/// </summary>
internal sealed class AgentEndpointMetrics
{
    private static readonly AgentCounter[] All = Enum.GetValues<AgentCounter>();

    private readonly long[] _counts = new long[All.Length];

    public void Count(AgentCounter counter) => Interlocked.Increment(ref _counts[(int)counter]);

    public long this[AgentCounter counter] => Interlocked.Read(ref _counts[(int)counter]);

    /// <summary>
    /// Prometheus text 0.0.4: <c>haagent_agent_requests_total{outcome}</c> (every request to /v1/agent/*) and
    /// <c>haagent_agent_orders_total{outcome}</c> (outbox decisions).
    /// </summary>
    public void WritePrometheus(StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text.Append("# HELP haagent_agent_requests_total Requests to the agent endpoint by outcome.\n");
        text.Append("# TYPE haagent_agent_requests_total counter\n");
        foreach (var counter in All)
        {
            if (!IsOrderCounter(counter))
            {
                Line(text, "haagent_agent_requests_total", counter);
            }
        }
        text.Append("# HELP haagent_agent_orders_total Orders given to the agent outbox by outcome.\n");
        text.Append("# TYPE haagent_agent_orders_total counter\n");
        foreach (var counter in All)
        {
            if (IsOrderCounter(counter))
            {
                Line(text, "haagent_agent_orders_total", counter);
            }
        }
    }

    /// <summary>The label value of a counter: "poll_delivered", "order_refused_queue_full".</summary>
    public static string Label(AgentCounter counter)
    {
        var name = counter.ToString();
        var label = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                label.Append('_');
            }
            label.Append(char.ToLowerInvariant(name[i]));
        }
        return label.ToString();
    }

    private static bool IsOrderCounter(AgentCounter counter) => counter >= AgentCounter.OrderQueued;

    private void Line(StringBuilder text, string metric, AgentCounter counter) =>
        text.Append(metric).Append("{outcome=\"").Append(Label(counter)).Append("\"} ")
            .Append(this[counter].ToString(CultureInfo.InvariantCulture)).Append('\n');
}
