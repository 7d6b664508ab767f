namespace HaAgent.Core.Tests.Model;

/// <summary>What one SPIN verification run of a model concluded.</summary>
/// <param name="Errors">The "errors: N" pan reported; the search stops at the first one.</param>
/// <param name="StatesStored">Distinct states pan visited.</param>
/// <param name="SearchWasExhaustive">
/// True when pan searched the full state space and nothing cut it short (depth bound, memory limit), so
/// "errors: 0" means the property holds in every reachable state rather than in the part pan got to.
/// </param>
/// <param name="ViolatedAssertion">The text of the assertion that failed, when one did.</param>
/// <param name="Trail">The counterexample as SPIN's message sequence chart, when pan wrote a trail.</param>
/// <param name="Elapsed">Wall time of the pan run alone.</param>
/// <param name="Output">pan's full report, for failure messages.</param>
internal sealed record SpinVerdict(
    int Errors,
    long StatesStored,
    bool SearchWasExhaustive,
    string? ViolatedAssertion,
    string? Trail,
    TimeSpan Elapsed,
    string Output);
