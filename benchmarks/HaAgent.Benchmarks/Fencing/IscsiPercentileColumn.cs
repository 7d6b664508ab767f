using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace HaAgent.Benchmarks.Fencing;

/// <summary>A percentile BenchmarkDotNet has no built-in column for (it stops at P95/P100): p99 of fence latency. Generic; named for the iSCSI benchmark that needs it.</summary>
internal sealed class IscsiPercentileColumn(int percentile) : IColumn
{
    public string Id => $"{nameof(IscsiPercentileColumn)}.P{percentile}";

    public string ColumnName => $"P{percentile}";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Time;

    public string Legend => $"{percentile.ToString(CultureInfo.InvariantCulture)}th percentile of all measurements (linear interpolation)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        var sorted = report?.GetResultRuns().Select(m => m.Nanoseconds / m.Operations).Order().ToArray();
        if (sorted is null || sorted.Length == 0)
        {
            return "NA";
        }
        var nanoseconds = Percentile(sorted, percentile / 100.0);
        return (nanoseconds / 1_000_000.0).ToString("0.000 'ms'", CultureInfo.InvariantCulture);
    }

    internal static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    public override string ToString() => ColumnName;
}
