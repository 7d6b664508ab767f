namespace HaAgent.Agent.Fencing;

/// <summary>
/// Runs one blocking storage call on the thread pool with a bound. On timeout the caller gets a
/// <see cref="TimeoutException"/> at once; the native call keeps running on its pool thread (librados and libiscsi
/// have their own timeouts and return eventually), and its late result is dropped.
/// </summary>
internal static class BoundedStep
{
    public static async Task<T> RunAsync<T>(string step, Func<T> work, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var running = Task.Run(work, CancellationToken.None);
        try
        {
            return await running.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _ = running.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new TimeoutException($"{step} did not finish within {timeout}");
        }
    }

    public static Task RunAsync(string step, Action work, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(step, () => { work(); return true; }, timeout, cancellationToken);
}
