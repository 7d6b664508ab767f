using HaAgent.Testing.Libvirt;

namespace HaAgent.NativeInterop.Tests.Libvirt;

/// <summary>One session libvirtd with the QEMU driver for the class (its capability probe costs seconds). A missing component becomes a skip reason, not a fixture failure.</summary>
public sealed class LibvirtQemuSessionFixture : IAsyncLifetime
{
    public LibvirtSessionDaemon? Session { get; private set; }

    public string? SkipReason { get; private set; }

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
