using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>Writes the watcher's log lines (debug included) to the test output, so a failing run shows what it saw.</summary>
internal sealed class TestOutputLogger<T>(ITestOutputHelper output) : ILogger<T>
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"[{Stopwatch.GetElapsedTime(_started).TotalMilliseconds,8:F0} ms {logLevel}] {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; xunit no longer takes output.
        }
    }
}
