using System.Diagnostics;
using HaAgent.Testing.Lab;

namespace HaAgent.Demo;

/// <summary>The demo parts' bounded waits and audit matching.</summary>
internal static class DemoWaits
{
    /// <summary>The audit record is about <paramref name="name"/> (a host or VM named in its subject).</summary>
    public static bool IsAbout(LabAuditRecord record, string name) =>
        record.Subject.Split(' ', '/').Contains(name, StringComparer.Ordinal);

    /// <summary>Polls every 200 ms until the condition holds (true) or the bound passes (false).</summary>
    public static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(200, cancellationToken);
        }
        return false;
    }
}
