namespace HaAgent.Testing;

/// <summary>Tears fixture daemons down by PID, whatever state the test left them in.</summary>
public static class ProcessKiller
{
    /// <summary>SIGKILLs <paramref name="pid"/> and waits until it is gone or a zombie (a daemon reparented to init is reaped lazily).</summary>
    public static void KillAndWait(int pid, TimeSpan? timeout = null)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: false);
        }
        catch (ArgumentException)
        {
            return; // already gone
        }
        catch (InvalidOperationException)
        {
            return;
        }

        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (DateTime.UtcNow < until && IsAlive(pid))
        {
            Thread.Sleep(20);
        }
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
