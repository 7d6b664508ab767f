using HaAgent.Testing.DBus;

namespace HaAgent.Agent.Tests.DBus;

/// <summary>One private dbus-daemon per test class, killed by PID at the end; null (and the tests skip) without dbus-daemon.</summary>
public sealed class DBusDaemonFixture : IAsyncLifetime
{
    private PrivateDBusDaemon? _daemon;
    private Xunit.SkipException? _skip;

    public PrivateDBusDaemon Require() => _daemon ?? throw (Exception?)_skip ?? new InvalidOperationException("fixture not started");

    public async Task InitializeAsync()
    {
        try
        {
            _daemon = await PrivateDBusDaemon.StartAsync();
        }
        catch (Xunit.SkipException skip)
        {
            _skip = skip;
        }
    }

    public Task DisposeAsync()
    {
        _daemon?.Dispose();
        return Task.CompletedTask;
    }
}
