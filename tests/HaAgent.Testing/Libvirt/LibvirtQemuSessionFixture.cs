using Xunit;

namespace HaAgent.Testing.Libvirt;

/// <summary>One session libvirtd with the QEMU driver per test class (its capability probe costs seconds); a missing component becomes a skip reason, not a fixture failure.</summary>
public sealed class LibvirtQemuSessionFixture : IAsyncLifetime
{
    public LibvirtSessionDaemon? Session { get; private set; }

    public string? SkipReason { get; private set; }

    /// <summary>Where this daemon's QEMU driver writes pid files.</summary>
    public string PidDirectory => Path.Combine(Session!.RuntimeDirectory, "libvirt", "qemu", "run");

    public LibvirtSessionDaemon Require()
    {
        Skip.If(SkipReason is not null, SkipReason);
        return Session!;
    }

    public async Task InitializeAsync()
    {
        try
        {
            Session = await LibvirtSessionDaemon.StartQemuAsync();
        }
        catch (SkipException e)
        {
            SkipReason = e.Message;
        }
    }

    public Task DisposeAsync()
    {
        Session?.Dispose();
        return Task.CompletedTask;
    }
}
