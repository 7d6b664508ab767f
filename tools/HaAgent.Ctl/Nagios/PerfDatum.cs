using System.Globalization;
using System.Text;

namespace HaAgent.Ctl.Nagios;

/// <summary>One performance-data item: <c>'label'=value[UOM];[warn];[crit];[min];[max]</c>.</summary>
internal sealed record PerfDatum(string Label, double Value, string Unit = "", NagiosRange? Warning = null, NagiosRange? Critical = null, double? Min = null, double? Max = null)
{
    public void AppendTo(StringBuilder text)
    {
        // Quotes are only needed for labels with spaces or '=', but are always legal; a quote inside is doubled.
        var start = text.Length;
        text.Append('\'').Append(Label.Replace("'", "''", StringComparison.Ordinal)).Append("'=")
            .Append(Format(Value)).Append(Unit)
            .Append(';').Append(Warning?.Text)
            .Append(';').Append(Critical?.Text)
            .Append(';').Append(Min is { } min ? Format(min) : "")
            .Append(';').Append(Max is { } max ? Format(max) : "");
        // Trailing empty fields may be dropped (plugin guidelines); keeps the line readable.
        while (text.Length > start && text[^1] == ';')
        {
            text.Length--;
        }
    }

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
