namespace HaAgent.Demo;

/// <summary>What a demo part proved, with the figures worth printing at the end.</summary>
internal sealed record DemoResult(string Part, bool Held, IReadOnlyList<string> Figures, IReadOnlyList<string> Failures)
{
    public static DemoResult From(string part, List<string> figures, List<string> failures) => new(part, failures.Count == 0, figures, failures);
}
