using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Demo;

/// <summary>Prints the story: numbered chapters, timestamped lines relative to the demo's start, verdicts.</summary>
internal sealed class Narrator
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TextWriter _out;
    private int _chapter;

    public Narrator(TextWriter output)
    {
        _out = output;
    }

    public void Chapter(string title)
    {
        _chapter++;
        _out.WriteLine();
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"=== {_chapter}. {title}"));
    }

    public void Say(string line) =>
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:F2} s] {line}"));

    public void Verdict(bool held, string line) => Say((held ? "PASS " : "FAIL ") + line);

    public void Todo(string line) => Say("TODO " + line);
}
