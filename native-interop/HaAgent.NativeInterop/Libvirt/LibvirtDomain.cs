using System.Buffers.Text;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// One domain (virDomainPtr) of a <see cref="LibvirtConnection"/>. It stays usable after its connection object is
/// disposed: it holds the native connection open until it is disposed itself.
/// </summary>
public sealed class LibvirtDomain : IDisposable
{
    private readonly SafeVirDomainHandle _handle;

    internal LibvirtDomain(SafeVirDomainHandle handle)
    {
        _handle = handle;
    }

    public string Name
    {
        get
        {
            ThrowIfDisposed();
            var name = Interop.Libvirt.virDomainGetName(_handle);
            if (name == 0)
            {
                LibvirtErrors.Throw("virDomainGetName");
            }
            return Marshal.PtrToStringUTF8(name)!;
        }
    }

    public unsafe Guid Uuid
    {
        get
        {
            ThrowIfDisposed();
            var buffer = stackalloc byte[Interop.Libvirt.VIR_UUID_STRING_BUFLEN];
            if (Interop.Libvirt.virDomainGetUUIDString(_handle, buffer) < 0)
            {
                LibvirtErrors.Throw("virDomainGetUUIDString");
            }
            Utf8Parser.TryParse(new ReadOnlySpan<byte>(buffer, 36), out Guid uuid, out _, 'D');
            return uuid;
        }
    }

    /// <summary>The hypervisor id while running; null when the domain is not running.</summary>
    public int? GetId()
    {
        ThrowIfDisposed();
        var id = Interop.Libvirt.virDomainGetID(_handle);
        return id == Interop.Libvirt.VIR_DOMAIN_ID_NONE ? null : (int)id;
    }

    public DomainStateInfo GetState()
    {
        ThrowIfDisposed();
        if (Interop.Libvirt.virDomainGetState(_handle, out var state, out var reason, 0) < 0)
        {
            LibvirtErrors.Throw("virDomainGetState");
        }
        return new DomainStateInfo((DomainState)state, reason);
    }

    /// <summary>Starts the defined domain (virDomainCreate).</summary>
    public void Create() => Check(Interop.Libvirt.virDomainCreate(CheckedHandle()), "virDomainCreate");

    /// <summary>Hard power-off (virDomainDestroy): the guest gets no chance to shut down.</summary>
    public void Destroy() => Check(Interop.Libvirt.virDomainDestroy(CheckedHandle()), "virDomainDestroy");

    /// <summary>Removes the persistent definition; a running domain keeps running as transient.</summary>
    public void Undefine() => Check(Interop.Libvirt.virDomainUndefine(CheckedHandle()), "virDomainUndefine");

    /// <param name="inactive">The definition used at next start rather than the live one.</param>
    public string GetXml(bool inactive = false)
    {
        ThrowIfDisposed();
        var xml = Interop.Libvirt.virDomainGetXMLDesc(_handle, inactive ? Interop.Libvirt.VIR_DOMAIN_XML_INACTIVE : 0);
        if (xml == 0)
        {
            LibvirtErrors.Throw("virDomainGetXMLDesc");
        }
        try
        {
            return Marshal.PtrToStringUTF8(xml)!;
        }
        finally
        {
            Interop.Libc.free(xml);
        }
    }

    public DomainInfo GetInfo()
    {
        var state = GetState();
        return new DomainInfo(Name, Uuid, GetId(), state.State, state.Reason);
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>False when the domain vanished (undefined concurrently); other failures throw.</summary>
    internal bool TryGetInfo(out DomainInfo info)
    {
        try
        {
            info = GetInfo();
            return true;
        }
        catch (LibvirtException e) when (e.Code == LibvirtErrorCode.NoDomain)
        {
            info = null!;
            return false;
        }
    }

    private static void Check(int result, string function)
    {
        if (result < 0)
        {
            LibvirtErrors.Throw(function);
        }
    }

    private SafeVirDomainHandle CheckedHandle()
    {
        ThrowIfDisposed();
        return _handle;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
}
