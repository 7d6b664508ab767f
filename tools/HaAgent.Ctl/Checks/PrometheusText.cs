using System.Globalization;

namespace HaAgent.Ctl.Checks;

/// <summary>Reads samples of one metric with one label out of a Prometheus text exposition.</summary>
internal static class PrometheusText
{
    /// <summary>
    /// Values of <c>name{label="value"} N</c> by label value; null when the metric does not appear at all (an older
    /// coordinator), so a check can skip that part instead of reporting zero.
    /// </summary>
    public static Dictionary<string, double>? Samples(string exposition, string name, string label)
    {
        Dictionary<string, double>? found = null;
        var prefix = name + "{";
        foreach (var rawLine in exposition.Split('\n'))
        {
            var line = rawLine.Trim();
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var close = line.IndexOf('}', StringComparison.Ordinal);
            if (close < 0)
            {
                continue;
            }
            var labels = line[prefix.Length..close];
            var valueText = line[(close + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (valueText is null || !double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            var key = LabelValue(labels, label);
            if (key is null)
            {
                continue;
            }
            found ??= new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            found[key] = found.GetValueOrDefault(key) + value;
        }
        return found;
    }

    private static string? LabelValue(string labels, string label)
    {
        var marker = label + "=\"";
        var start = labels.StartsWith(marker, StringComparison.Ordinal) ? 0 : labels.IndexOf("," + marker, StringComparison.Ordinal) + 1;
        if (start < 0 || (start == 0 && !labels.StartsWith(marker, StringComparison.Ordinal)))
        {
            return null;
        }
        var valueStart = start + marker.Length;
        var end = labels.IndexOf('"', valueStart);
        return end < 0 ? null : labels[valueStart..end];
    }
}
