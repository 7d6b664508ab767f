using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>
/// A librados <c>rados_t</c>. Released with rados_shutdown only once no call is in flight and every
/// <see cref="SafeRadosIoCtxHandle"/> opened on it has been released (they hold a reference).
/// </summary>
internal sealed class SafeRadosClusterHandle : SafeHandle
{
    public SafeRadosClusterHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Interop.Rados.rados_shutdown(handle);
        return true;
    }
}
