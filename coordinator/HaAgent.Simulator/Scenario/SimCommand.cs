namespace HaAgent.Simulator.Scenario;

/// <summary>One timeline entry: at <paramref name="At"/>, do <paramref name="Verb"/> to <paramref name="Hosts"/>.</summary>
/// <param name="Count">For fault injections: how many times (-1 = always).</param>
internal sealed record SimCommand(TimeSpan At, string Verb, IReadOnlyList<string> Hosts, string? Kind, long Count, string Text);
