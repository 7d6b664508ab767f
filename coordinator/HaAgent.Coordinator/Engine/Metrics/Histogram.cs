using System.Globalization;
using System.Text;

namespace HaAgent.Coordinator.Engine.Metrics;

/// <summary>A Prometheus histogram with fixed upper bounds (seconds); thread-safe, rendered as cumulative buckets.</summary>
internal sealed class Histogram(string name, string help, double[] bounds)
{
    private readonly Lock _gate = new();
    private readonly long[] _counts = new long[bounds.Length + 1];
    private double _sum;
    private long _count;

    public void Observe(double value)
    {
        var index = Array.FindIndex(bounds, b => value <= b);
        lock (_gate)
        {
            _counts[index < 0 ? bounds.Length : index]++;
            _sum += value;
            _count++;
        }
    }

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public double Sum
    {
        get
        {
            lock (_gate)
            {
                return _sum;
            }
        }
    }

    public void Render(StringBuilder text)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" histogram\n");
        lock (_gate)
        {
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Append(name).Append("_bucket{le=\"").Append(bounds[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ")
                    .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            cumulative += _counts[^1];
            text.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append(name).Append("_sum ").Append(_sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n')
                .Append(name).Append("_count ").Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
