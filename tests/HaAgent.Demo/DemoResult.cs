namespace HaAgent.Demo;

/// <summary>
/// What a demo part proved, with the figures worth printing at the end. <see cref="Unavailable"/> names why a part could
/// not be played at all on this build (e.g. a coordinator without the engine): then it held nothing.
/// </summary>
internal sealed record DemoResult(string Part, bool Held, IReadOnlyList<string> Figures, IReadOnlyList<string> Failures, string? Unavailable = null)
{
    public static DemoResult From(string part, List<string> figures, List<string> failures) => new(part, failures.Count == 0, figures, failures);

    public static DemoResult NotAvailable(string part, string reason) => new(part, false, [], [reason], reason);
}
