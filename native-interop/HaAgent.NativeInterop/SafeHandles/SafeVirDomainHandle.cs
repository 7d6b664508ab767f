using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>
/// A virDomainPtr. It keeps its connection's SafeHandle referenced, so disposing the connection first only
/// defers virConnectClose until the last domain is freed, instead of freeing memory a domain still points into.
/// </summary>
internal sealed class SafeVirDomainHandle : SafeHandle
{
    private SafeVirConnectHandle? _connection;

    /// <summary>Used by the marshaller for functions that return a virDomainPtr; call <see cref="SetConnection"/> next.</summary>
    public SafeVirDomainHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of a domain pointer handed out in an array (virConnectListAllDomains).</summary>
    internal SafeVirDomainHandle(nint domain, SafeVirConnectHandle connection)
        : this()
    {
        SetHandle(domain);
        SetConnection(connection);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>
    /// References <paramref name="connection"/> until this handle is released. Throws ObjectDisposedException
    /// (and frees the domain) when the connection is already closed.
    /// </summary>
    internal void SetConnection(SafeVirConnectHandle connection)
    {
        Debug.Assert(_connection is null, "a domain belongs to one connection");
        var added = false;
        try
        {
            connection.DangerousAddRef(ref added);
        }
        finally
        {
            if (added)
            {
                _connection = connection;
            }
            else
            {
                Dispose();
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        var freed = Interop.Libvirt.virDomainFree(handle) >= 0;
        _connection?.DangerousRelease();
        _connection = null;
        return freed;
    }
}
