namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// An I/O context on one pool. A fenced (blocklisted) client gets <see cref="RadosException.IsBlocklisted"/> from every
/// call here; a write that returned normally was acknowledged by the OSD.
/// </summary>
public sealed class RadosPool : IDisposable
{
    private readonly SafeRadosIoCtxHandle _handle;
    private readonly RadosCluster _cluster;
    private volatile bool _disposed;

    internal RadosPool(SafeRadosIoCtxHandle handle, string name, RadosCluster cluster)
    {
        _handle = handle;
        Name = name;
        _cluster = cluster;
    }

    public string Name { get; }

    /// <summary>Replaces the object's whole content (creating it).</summary>
    public unsafe void WriteFull(string objectName, ReadOnlySpan<byte> data)
    {
        RadosNames.ThrowIfInvalid(objectName, nameof(objectName));
        ThrowIfDisposed();
        int result;
        fixed (byte* buffer = data)
        {
            result = Interop.Rados.rados_write_full(_handle, objectName, buffer, (nuint)data.Length);
        }
        RadosException.ThrowIfError(result, "rados_write_full", Describe(objectName));
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>, extending the object if needed.</summary>
    public unsafe void Write(string objectName, ReadOnlySpan<byte> data, ulong offset)
    {
        RadosNames.ThrowIfInvalid(objectName, nameof(objectName));
        ThrowIfDisposed();
        int result;
        fixed (byte* buffer = data)
        {
            result = Interop.Rados.rados_write(_handle, objectName, buffer, (nuint)data.Length, offset);
        }
        RadosException.ThrowIfError(result, "rados_write", Describe(objectName));
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes from <paramref name="offset"/>; returns how many were read.</summary>
    public unsafe int Read(string objectName, Span<byte> buffer, ulong offset = 0)
    {
        RadosNames.ThrowIfInvalid(objectName, nameof(objectName));
        ThrowIfDisposed();
        int result;
        fixed (byte* pointer = buffer)
        {
            result = Interop.Rados.rados_read(_handle, objectName, pointer, (nuint)buffer.Length, offset);
        }
        RadosException.ThrowIfError(result, "rados_read", Describe(objectName));
        return result;
    }

    /// <summary>Reads the whole object (size from <see cref="Stat"/>).</summary>
    public byte[] ReadAll(string objectName)
    {
        var size = Stat(objectName).Size;
        if (size > int.MaxValue)
        {
            throw new NotSupportedException($"object '{objectName}' is {size} bytes; read it in ranges");
        }
        var buffer = new byte[size];
        var read = Read(objectName, buffer);
        return read == buffer.Length ? buffer : buffer[..read];
    }

    public RadosObjectStat Stat(string objectName)
    {
        RadosNames.ThrowIfInvalid(objectName, nameof(objectName));
        ThrowIfDisposed();
        RadosException.ThrowIfError(
            Interop.Rados.rados_stat(_handle, objectName, out var size, out var modified), "rados_stat", Describe(objectName));
        return new RadosObjectStat(size, DateTimeOffset.FromUnixTimeSeconds(modified));
    }

    public void Remove(string objectName)
    {
        RadosNames.ThrowIfInvalid(objectName, nameof(objectName));
        ThrowIfDisposed();
        RadosException.ThrowIfError(Interop.Rados.rados_remove(_handle, objectName), "rados_remove", Describe(objectName));
    }

    /// <summary>
    /// Returns once every placement group of this pool has answered an op sent at this client's current osdmap epoch.
    /// An OSD holds a client op until it has the op's epoch, so after <see cref="RadosBlocklist.Add"/> (which leaves
    /// this client at an epoch containing the entry) and this barrier, no PG of the pool acknowledges the fenced client
    /// any more — without it, an OSD that learns the map late still acknowledges the fenced client's writes (measured:
    /// thousands of writes over ~0.4 s with the OSD's map delivery delayed). Needs no OSD capability: EPERM, EACCES or
    /// ENOENT are answers too; what counts is that the PG answered. Costs one stat per PG, sequentially.
    /// </summary>
    /// <returns>The number of placement groups reached (the pool's pg_num).</returns>
    public int WaitForOsdMapOnAllPlacementGroups()
    {
        ThrowIfDisposed();
        var pgNum = RadosJson.ReadUInt32Property(
            _cluster.MonCommand(RadosJson.Command("osd pool get", ("pool", Name), ("var", "pg_num"), ("format", "json"))).Output.Span,
            "pg_num"u8);
        foreach (var objectName in CephObjectPlacement.OneNamePerPlacementGroup("haagent.osdmap-barrier.", pgNum))
        {
            var result = Interop.Rados.rados_stat(_handle, objectName, out _, out _);
            if (result < 0 && -result is not (Errno.ENOENT or Errno.EPERM or Errno.EACCES))
            {
                RadosException.Throw(result, "rados_stat", $"osdmap barrier on {Describe(objectName)}");
            }
        }
        return checked((int)pgNum);
    }

    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    // Not _handle.IsClosed: it turns true only when the last in-flight call has returned.
    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private string Describe(string objectName) => $"{Name}/{objectName}";
}
