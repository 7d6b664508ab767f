namespace HaAgent.Benchmarks.Common;

/// <summary>/proc/loadavg's three figures, to print beside a measurement taken on a shared machine.</summary>
internal static class LoadAverage
{
    public static string Read()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{fields[0]} {fields[1]} {fields[2]}";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
