namespace HaAgent.Agent.SelfFence;

/// <summary>
/// /dev/watchdog: opening arms it, any write kicks it, writing 'V' before close disarms it (unless the driver was loaded
/// with nowayout). The timeout is the driver's (module parameter or WDIOC_SETTIMEOUT by the packaging).
/// </summary>
internal sealed class DeviceWatchdog : IWatchdog
{
    private readonly FileStream _device;

    public DeviceWatchdog(string path)
    {
        Name = path;
        _device = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 0);
    }

    public string Name { get; }

    public void Kick()
    {
        _device.WriteByte(0);
        _device.Flush();
    }

    public void Disarm()
    {
        _device.WriteByte((byte)'V');
        _device.Flush();
    }

    public void Dispose() => _device.Dispose();
}
