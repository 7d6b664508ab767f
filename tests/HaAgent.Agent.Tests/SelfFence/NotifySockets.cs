using Microsoft.Extensions.Hosting.Systemd;

namespace HaAgent.Agent.Tests.SelfFence;

internal static class NotifySockets
{
    /// <summary>SystemdNotifier reads NOTIFY_SOCKET once, when built; the variable is set only for that moment.</summary>
    public static SystemdNotifier NotifierFor(string socketPath)
    {
        var previous = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", socketPath);
        try
        {
            return new SystemdNotifier();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", previous);
        }
    }
}
