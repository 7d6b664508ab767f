using System.Globalization;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// Per-thread CPU of a process over a window: utime/stime (clock ticks, USER_HZ = 100) from /proc/PID/task/TID/stat,
/// and voluntary/involuntary context switches (wake-ups) from /proc/PID/task/TID/status. Threads are matched by TID;
/// a thread that exited inside the window is reported from its first sample, one born inside from zero.
/// </summary>
internal static class ThreadCpu
{
    public sealed record Sample(int Tid, string Name, long UserTicks, long SystemTicks, long Wakeups);

    public static Dictionary<int, Sample> Take(int pid)
    {
        var result = new Dictionary<int, Sample>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = FieldsAfterName(stat);
                long wakeups = 0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        wakeups += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
                result[tid] = new Sample(tid, name, long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture), wakeups);
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
                // The thread exited between the listing and the read.
            }
        }
        return result;
    }

    /// <summary>Prints the per-thread table (threads grouped by name), busiest first.</summary>
    public static void Print(Dictionary<int, Sample> before, Dictionary<int, Sample> after, double seconds)
    {
        var rows = after.Values.Select(a =>
        {
            before.TryGetValue(a.Tid, out var b);
            return (a.Name, User: a.UserTicks - (b?.UserTicks ?? 0), System: a.SystemTicks - (b?.SystemTicks ?? 0), Wakeups: a.Wakeups - (b?.Wakeups ?? 0));
        }).GroupBy(r => r.Name).Select(g => (Name: g.Count() > 1 ? $"{g.Key}×{g.Count()}" : g.Key, User: g.Sum(r => r.User), System: g.Sum(r => r.System), Wakeups: g.Sum(r => r.Wakeups)))
            .OrderByDescending(r => r.User + r.System).ThenByDescending(r => r.Wakeups).ToArray();
        Console.WriteLine($"  per thread over {seconds:F0} s   (ticks of 10 ms: user / system; % of one core; voluntary wake-ups per s)");
        foreach (var row in rows)
        {
            Console.WriteLine($"    {row.Name,-22} {row.User,5} / {row.System,-5} {(row.User + row.System) / seconds,7:F3} %  {row.Wakeups / seconds,7:F1}/s");
        }
        Console.WriteLine($"    {"total",-22} {rows.Sum(r => r.User),5} / {rows.Sum(r => r.System),-5} {rows.Sum(r => r.User + r.System) / seconds,7:F3} %  {rows.Sum(r => r.Wakeups) / seconds,7:F1}/s");
    }

    /// <summary>
    /// The fields of a /proc/PID[/task/TID]/stat line after "(comm)" (the name may hold spaces and parentheses):
    /// index 0 is the state, 9 majflt, 11 utime, 12 stime.
    /// </summary>
    public static string[] FieldsAfterName(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();
}
