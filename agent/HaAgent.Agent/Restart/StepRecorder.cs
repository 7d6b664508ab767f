using System.Diagnostics;
using HaAgent.Agent.Fencing;

namespace HaAgent.Agent.Restart;

/// <summary>Times each step of an order and keeps the list for the report; libvirt calls run bounded (<see cref="BoundedStep"/>).</summary>
internal sealed class StepRecorder
{
    private readonly List<VmStep> _steps = [];

    public IReadOnlyList<VmStep> Steps => _steps;

    public void Add(string name, long startTimestamp, bool succeeded, string? detail = null) =>
        _steps.Add(new VmStep(name, Stopwatch.GetElapsedTime(startTimestamp), succeeded, detail));

    /// <summary>Runs <paramref name="work"/> on the pool with a bound; the step is recorded as failed (with the exception's message) and the exception rethrown.</summary>
    public async Task<T> RunAsync<T>(string name, Func<T> work, TimeSpan timeout, CancellationToken cancellationToken, Func<T, string?>? describe = null)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await BoundedStep.RunAsync(name, work, timeout, cancellationToken).ConfigureAwait(false);
            Add(name, started, true, describe?.Invoke(result));
            return result;
        }
        catch (Exception e)
        {
            Add(name, started, false, e.Message);
            throw;
        }
    }

    public Task RunAsync(string name, Action work, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(name, () => { work(); return true; }, timeout, cancellationToken);
}
