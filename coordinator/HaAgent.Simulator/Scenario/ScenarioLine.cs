namespace HaAgent.Simulator.Scenario;

/// <summary>One meaningful line of a scenario file: '#' starts a comment, blank lines are skipped.</summary>
internal sealed record ScenarioLine(string File, int Number, string[] Words)
{
    public ScenarioFormatException Error(string message) => new(File, Number, message);

    public static IEnumerable<ScenarioLine> Read(string path, string displayName) =>
        Split(System.IO.File.ReadLines(path), displayName);

    public static IEnumerable<ScenarioLine> FromText(string text, string displayName) =>
        Split(text.ReplaceLineEndings("\n").Split('\n'), displayName);

    private static IEnumerable<ScenarioLine> Split(IEnumerable<string> rawLines, string displayName)
    {
        var number = 0;
        foreach (var raw in rawLines)
        {
            number++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var text = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (text.Length > 0)
            {
                yield return new ScenarioLine(displayName, number, text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            }
        }
    }
}
