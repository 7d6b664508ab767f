using System.Runtime.InteropServices;
using System.Text;

namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// One connected librados client (one cephx identity, one <see cref="ClientAddress"/>). Thread-safe: librados handles
/// concurrent calls, and the handle is released only when no call is in flight and every <see cref="RadosPool"/>
/// opened from it is disposed.
/// </summary>
public sealed class RadosCluster : IDisposable
{
    private readonly SafeRadosClusterHandle _handle;
    private RadosClientAddress? _clientAddress;
    private volatile bool _disposed;

    private RadosCluster(SafeRadosClusterHandle handle, string clientName)
    {
        _handle = handle;
        ClientName = clientName;
        Blocklist = new RadosBlocklist(this);
    }

    /// <summary>The cephx entity this client authenticated as, e.g. "client.fencer".</summary>
    public string ClientName { get; }

    /// <summary>Typed "osd blocklist" commands, run with this client's capabilities.</summary>
    public RadosBlocklist Blocklist { get; }

    /// <summary>
    /// Creates a handle, applies the options, and connects; every wait is bounded by the options' timeouts.
    /// Throws <see cref="ArgumentException"/> for bad options before any native call, <see cref="RadosException"/>
    /// (e.g. ETIMEDOUT for an unreachable mon, EACCES/EPERM for a rejected key) when the cluster refuses.
    /// </summary>
    public static RadosCluster Connect(RadosConnectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var result = Interop.Rados.rados_create2(out var handle, options.ClusterName, options.ClientName, 0);
        try
        {
            RadosException.ThrowIfError(result, "rados_create2", options.ClientName);
            if (options.ConfigFile is not null)
            {
                RadosException.ThrowIfError(
                    Interop.Rados.rados_conf_read_file(handle, options.ConfigFile), "rados_conf_read_file", options.ConfigFile);
            }
            SetIfGiven(handle, "mon_host", options.MonHost);
            SetIfGiven(handle, "keyring", options.Keyring);
            SetIfGiven(handle, "key", options.Key);
            Set(handle, "client_mount_timeout", RadosConnectOptions.Seconds(options.ConnectTimeout));
            Set(handle, "rados_mon_op_timeout", RadosConnectOptions.Seconds(options.MonOperationTimeout));
            Set(handle, "rados_osd_op_timeout", RadosConnectOptions.Seconds(options.OsdOperationTimeout));
            if (options.Settings is not null)
            {
                foreach (var (name, value) in options.Settings)
                {
                    Set(handle, name, value);
                }
            }

            RadosException.ThrowIfError(
                Interop.Rados.rados_connect(handle),
                "rados_connect",
                $"{options.ClientName} to {options.MonHost ?? options.ConfigFile}");
            return new RadosCluster(handle, options.ClientName);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// This client's address as OSDs and the blocklist see it (<c>IP:0/NONCE</c>): the exact value to blocklist to
    /// fence this client and no other.
    /// </summary>
    public RadosClientAddress ClientAddress
    {
        get
        {
            ThrowIfDisposed();
            return _clientAddress ??= ReadClientAddress();
        }
    }

    /// <summary>The global id the mon assigned at connect (the NNNN of "client.NNNN" in mon sessions).</summary>
    public ulong InstanceId
    {
        get
        {
            ThrowIfDisposed();
            return Interop.Rados.rados_get_instance_id(_handle);
        }
    }

    /// <summary>Opens an I/O context on <paramref name="poolName"/>; a missing pool is a <see cref="RadosException"/> with ENOENT.</summary>
    public RadosPool OpenPool(string poolName)
    {
        RadosNames.ThrowIfInvalid(poolName, nameof(poolName));
        ThrowIfDisposed();
        var ioctx = SafeRadosIoCtxHandle.Create(_handle, poolName, out var error);
        if (error < 0 || ioctx.IsInvalid)
        {
            ioctx.Dispose();
            RadosException.Throw(error < 0 ? error : -Errno.EIO, "rados_ioctx_create", $"pool '{poolName}'");
        }
        return new RadosPool(ioctx, poolName, this);
    }

    /// <summary>
    /// Sends one JSON mon command, e.g. <c>{"prefix":"osd dump","format":"json"}</c>. A refusal is a
    /// <see cref="RadosException"/> whose message carries the mon's status line.
    /// </summary>
    public unsafe RadosMonCommandResult MonCommand(string json, ReadOnlySpan<byte> input = default)
    {
        if (string.IsNullOrWhiteSpace(json) || json.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a mon command is a non-empty JSON object", nameof(json));
        }
        ThrowIfDisposed();

        var command = Encoding.UTF8.GetBytes(json + "\0");
        int result;
        nint outbuf, outs;
        nuint outbufLength, outsLength;
        fixed (byte* commandPointer = command)
        fixed (byte* inputPointer = input)
        {
            var commands = commandPointer;
            result = Interop.Rados.rados_mon_command(
                _handle, &commands, 1, inputPointer, (nuint)input.Length,
                out outbuf, out outbufLength, out outs, out outsLength);
        }

        byte[] output;
        string status;
        try
        {
            output = outbuf == 0 ? [] : new ReadOnlySpan<byte>((void*)outbuf, checked((int)outbufLength)).ToArray();
            status = outs == 0 ? "" : Encoding.UTF8.GetString((byte*)outs, checked((int)outsLength));
        }
        finally
        {
            if (outbuf != 0)
            {
                Interop.Rados.rados_buffer_free(outbuf);
            }
            if (outs != 0)
            {
                Interop.Rados.rados_buffer_free(outs);
            }
        }

        RadosException.ThrowIfError(result, "rados_mon_command", $"{json} -> {status}");
        return new RadosMonCommandResult(output, status);
    }

    /// <summary>Blocks until this client holds the newest osdmap epoch the mon has (bounded by the mon operation timeout).</summary>
    public void WaitForLatestOsdMap()
    {
        ThrowIfDisposed();
        RadosException.ThrowIfError(Interop.Rados.rados_wait_for_latest_osdmap(_handle), "rados_wait_for_latest_osdmap");
    }

    /// <summary>The mon's current osdmap epoch ("osd stat"); after <see cref="WaitForLatestOsdMap"/> this client holds at least it.</summary>
    public uint GetOsdMapEpoch() =>
        RadosJson.ReadEpoch(MonCommand(RadosJson.Command("osd stat", ("format", "json"))).Output.Span);

    /// <summary>Releases the connection once no call is in flight and every pool opened from it is disposed.</summary>
    public void Dispose()
    {
        _disposed = true;
        _handle.Dispose();
    }

    internal SafeRadosClusterHandle Handle => _handle;

    // Not _handle.IsClosed: a SafeHandle still referenced by an open pool stays open after Dispose.
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private unsafe RadosClientAddress ReadClientAddress()
    {
        RadosException.ThrowIfError(Interop.Rados.rados_getaddrs(_handle, out var addrs), "rados_getaddrs");
        string text;
        try
        {
            text = Marshal.PtrToStringUTF8(addrs) ?? "";
        }
        finally
        {
            Interop.Libc.free(addrs);
        }
        return RadosClientAddress.TryParse(RadosNames.StripAddressVector(text), out var address)
            ? address
            : throw new FormatException($"rados_getaddrs returned '{text}', not a client address");
    }

    private static void SetIfGiven(SafeRadosClusterHandle handle, string option, string? value)
    {
        if (value is not null)
        {
            Set(handle, option, value);
        }
    }

    private static void Set(SafeRadosClusterHandle handle, string option, string value) =>
        RadosException.ThrowIfError(Interop.Rados.rados_conf_set(handle, option, value), "rados_conf_set", option);
}
