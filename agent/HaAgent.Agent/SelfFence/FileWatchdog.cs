using System.Globalization;

namespace HaAgent.Agent.SelfFence;

/// <summary>
/// A stand-in for hosts (and tests) without /dev/watchdog: every kick appends "kick UNIX_MS" to a file, a disarm
/// appends "disarm". Nothing resets the host; a test reads the file to see when kicks stopped.
/// </summary>
internal sealed class FileWatchdog : IWatchdog
{
    private readonly TimeProvider _time;

    public FileWatchdog(string path, TimeProvider time)
    {
        Name = path;
        _time = time;
        File.AppendAllText(path, "open\n");
    }

    public string Name { get; }

    public void Kick() => File.AppendAllText(Name, string.Create(CultureInfo.InvariantCulture, $"kick {_time.GetUtcNow().ToUnixTimeMilliseconds()}\n"));

    public void Disarm() => File.AppendAllText(Name, "disarm\n");

    public void Dispose()
    {
    }
}
