using System.Globalization;
using System.Text.RegularExpressions;

namespace HaAgent.Simulator.Scenario;

/// <summary>Parses the small value syntax of scenario files: durations (1500ms, 10s, 2m) and sizes (512M, 4G).</summary>
internal static partial class SimValues
{
    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+)([MGT]?)$")]
    private static partial Regex SizePattern();

    public static bool TryDuration(string text, out TimeSpan value)
    {
        var match = DurationPattern().Match(text);
        value = default;
        if (!match.Success)
        {
            return false;
        }
        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        value = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromHours(number),
        };
        return true;
    }

    public static bool TrySizeMiB(string text, out long mib)
    {
        var match = SizePattern().Match(text);
        mib = 0;
        if (!match.Success)
        {
            return false;
        }
        var number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        mib = match.Groups[2].Value switch
        {
            "G" => number * 1024,
            "T" => number * 1024 * 1024,
            _ => number,
        };
        return true;
    }

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
}
