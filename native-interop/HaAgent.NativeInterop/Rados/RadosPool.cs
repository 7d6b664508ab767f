namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// An I/O context on one pool. A fenced (blocklisted) client gets <see cref="RadosException.IsBlocklisted"/> from every
/// call here; a write that returned normally was acknowledged by the OSD.
/// </summary>
public sealed class RadosPool : IDisposable
{
    private readonly SafeRadosIoCtxHandle _handle;
    private volatile bool _disposed;

    internal RadosPool(SafeRadosIoCtxHandle handle, string name)
    {
        _handle = handle;
        Name = name;
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

    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    // Not _handle.IsClosed: it turns true only when the last in-flight call has returned.
    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private string Describe(string objectName) => $"{Name}/{objectName}";
}
