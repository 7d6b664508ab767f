using System.Text;

namespace HaAgent.Ctl.Nagios;

/// <summary>
/// Collects the findings of one check: the worst state wins, problems are listed first in the status line, and
/// perfdata follows a single '|' (one line of output, as the plugin guidelines ask).
/// </summary>
internal sealed class CheckReport
{
    private readonly string _service;
    private readonly List<(NagiosStatus Status, string Text)> _findings = [];
    private readonly List<PerfDatum> _perfData = [];

    public CheckReport(string service)
    {
        _service = service;
    }

    public NagiosStatus Status { get; private set; } = NagiosStatus.Ok;

    public void Add(NagiosStatus status, string text)
    {
        _findings.Add((status, text));
        Status = Status.Worst(status);
    }

    public void Ok(string text) => Add(NagiosStatus.Ok, text);

    public void Perf(PerfDatum datum) => _perfData.Add(datum);

    /// <summary>Adds <paramref name="text"/> at the state the thresholds give <paramref name="value"/>.</summary>
    public void Threshold(double value, NagiosRange? warning, NagiosRange? critical, string text)
    {
        var status = critical?.Alerts(value) == true ? NagiosStatus.Critical
            : warning?.Alerts(value) == true ? NagiosStatus.Warning
            : NagiosStatus.Ok;
        Add(status, text);
    }

    public string Render()
    {
        var text = new StringBuilder();
        text.Append(_service).Append(' ').Append(Status.Label()).Append(": ");
        var ordered = _findings
            .Select((f, i) => (f.Status, f.Text, i))
            .OrderByDescending(static f => Severity(f.Status))
            .ThenBy(static f => f.i)
            .Select(f => f.Status == NagiosStatus.Ok || f.Status == Status ? f.Text : $"{f.Status.Label()}: {f.Text}");
        text.AppendJoin("; ", ordered);
        if (_perfData.Count > 0)
        {
            text.Append(" |");
            foreach (var datum in _perfData)
            {
                text.Append(' ');
                datum.AppendTo(text);
            }
        }
        // One line: a finding carrying a newline (an error message) must not split the status line.
        return text.ToString().Replace('\n', ' ').Replace('\r', ' ');
    }

    private static int Severity(NagiosStatus status) => status switch
    {
        NagiosStatus.Critical => 3,
        NagiosStatus.Warning => 2,
        NagiosStatus.Unknown => 1,
        _ => 0,
    };
}
