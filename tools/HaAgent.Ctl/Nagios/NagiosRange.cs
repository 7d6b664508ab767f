using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace HaAgent.Ctl.Nagios;

/// <summary>
/// A threshold range in the Nagios plugin syntax: <c>10</c> alerts outside 0..10, <c>10:</c> below 10, <c>~:10</c>
/// above 10, <c>10:20</c> outside 10..20, and a leading <c>@</c> inverts (alerts inside the range).
/// </summary>
internal sealed class NagiosRange
{
    private NagiosRange(string text, double start, double end, bool inside)
    {
        Text = text;
        Start = start;
        End = end;
        AlertInside = inside;
    }

    /// <summary>The range as written; echoed in perfdata's warn/crit fields.</summary>
    public string Text { get; }

    public double Start { get; }

    public double End { get; }

    public bool AlertInside { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out NagiosRange? range, [NotNullWhen(false)] out string? error)
    {
        range = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty range";
            return false;
        }
        var body = text.Trim();
        var inside = body.StartsWith('@');
        if (inside)
        {
            body = body[1..];
        }
        double start = 0;
        double end;
        var colon = body.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            if (!TryNumber(body, out end))
            {
                error = $"'{text}' is not a Nagios range (N, N:, ~:N, N:M or @N:M)";
                return false;
            }
        }
        else
        {
            var low = body[..colon];
            var high = body[(colon + 1)..];
            if (low == "~")
            {
                start = double.NegativeInfinity;
            }
            else if (low.Length > 0 && !TryNumber(low, out start))
            {
                error = $"'{text}' is not a Nagios range: bad start '{low}'";
                return false;
            }
            if (high.Length == 0)
            {
                end = double.PositiveInfinity;
            }
            else if (!TryNumber(high, out end))
            {
                error = $"'{text}' is not a Nagios range: bad end '{high}'";
                return false;
            }
        }
        if (start > end)
        {
            error = $"'{text}' is not a Nagios range: start is above end";
            return false;
        }
        range = new NagiosRange(text.Trim(), start, end, inside);
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="value"/> should raise the alert this range stands for.</summary>
    public bool Alerts(double value)
    {
        var within = value >= Start && value <= End;
        return AlertInside ? within : !within;
    }

    public override string ToString() => Text;

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
