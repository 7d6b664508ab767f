using HaAgent.Testing.Libvirt;

namespace HaAgent.NativeInterop.Tests.Libvirt;

/// <summary>One session libvirtd + QEMU driver for the class (its capability probe costs seconds). A missing component becomes a skip reason, not a fixture failure.</summary>
public sealed class LibvirtQemuSessionFixture : IAsyncLifetime
{
    public LibvirtQemuSession? Session { get; private set; }

    public string? SkipReason { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            Session = await LibvirtQemuSession.StartAsync();
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
