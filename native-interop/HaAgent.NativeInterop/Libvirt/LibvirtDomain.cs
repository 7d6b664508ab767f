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

    /// <summary>
    /// What libvirt's control channel to the hypervisor is doing (virDomainGetControlInfo). Answered from libvirt's own
    /// bookkeeping without entering QEMU's monitor, so it returns promptly even when QEMU is frozen; it only shows a
    /// frozen QEMU while some command is waiting inside the monitor (<see cref="DomainControlState.Occupied"/>).
    /// </summary>
    public DomainControlInfo GetControlInfo()
    {
        ThrowIfDisposed();
        if (Interop.Libvirt.virDomainGetControlInfo(_handle, out var info, 0) < 0)
        {
            LibvirtErrors.Throw("virDomainGetControlInfo");
        }
        return new DomainControlInfo((DomainControlState)info.state, (int)info.details,
            TimeSpan.FromMilliseconds(Math.Min(info.stateTime, (ulong)TimeSpan.MaxValue.TotalMilliseconds)));
    }

    /// <summary>
    /// Sends one QMP command (JSON, e.g. <c>{"execute":"query-status"}</c>) to the domain's QEMU through libvirt
    /// (virDomainQemuMonitorCommand, libvirt-qemu.so.0) and returns QEMU's JSON reply. It blocks until QEMU answers —
    /// libvirt has no timeout for it — so callers that must stay responsive run it on a thread they can abandon.
    /// libvirt marks the domain tainted ("custom-monitor") on the first such command.
    /// </summary>
    public string QemuMonitorCommand(string qmpCommand)
    {
        ArgumentException.ThrowIfNullOrEmpty(qmpCommand);
        ThrowIfDisposed();
        if (Interop.LibvirtQemu.virDomainQemuMonitorCommand(_handle, qmpCommand, out var reply, Interop.LibvirtQemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT) < 0)
        {
            LibvirtErrors.Throw("virDomainQemuMonitorCommand");
        }
        try
        {
            return Marshal.PtrToStringUTF8(reply) ?? "";
        }
        finally
        {
            Interop.Libc.free(reply);
        }
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
