using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>A virConnectPtr. Domain handles hold a reference on it, so the connection closes after its last domain.</summary>
internal sealed class SafeVirConnectHandle : SafeHandle
{
    public SafeVirConnectHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => Interop.Libvirt.virConnectClose(handle) >= 0;
}
