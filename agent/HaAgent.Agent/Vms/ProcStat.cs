using System.Globalization;

namespace HaAgent.Agent.Vms;

/// <summary>Reads a process's scheduler state from /proc/PID/stat.</summary>
internal static class ProcStat
{
    /// <summary>The state letter (R, S, D, T, t, Z, X...), or null when the process is gone.</summary>
    public static char? ReadState(int pid)
    {
        try
        {
            var stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
            // The command name is in parentheses and may itself contain ") "; the state follows the last ')'.
            var close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stopped by a signal (T) or a tracer (t).</summary>
    public static bool IsStopped(char state) => state is 'T' or 't';

    /// <summary>Exited, whether reaped yet or not.</summary>
    public static bool IsDead(char? state) => state is null or 'Z' or 'X';
}
