using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>
/// A librados <c>rados_ioctx_t</c>. It keeps a reference on its cluster handle so that rados_shutdown can never run
/// before rados_ioctx_destroy, whatever order the managed owners are disposed in.
/// </summary>
internal sealed class SafeRadosIoCtxHandle : SafeHandle
{
    private SafeRadosClusterHandle? _cluster;

    public SafeRadosIoCtxHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>
    /// Opens <paramref name="poolName"/> on <paramref name="cluster"/>. The cluster reference is taken before the native
    /// call, so a concurrent dispose of the cluster either fails this call with ObjectDisposedException or waits for it.
    /// </summary>
    internal static SafeRadosIoCtxHandle Create(SafeRadosClusterHandle cluster, string poolName, out int error)
    {
        var referenced = false;
        cluster.DangerousAddRef(ref referenced);
        try
        {
            error = Interop.Rados.rados_ioctx_create(cluster, poolName, out var ioctx);
            if (error >= 0 && !ioctx.IsInvalid)
            {
                ioctx._cluster = cluster;
                referenced = false; // the ioctx now owns the reference and drops it in ReleaseHandle
            }
            return ioctx;
        }
        finally
        {
            if (referenced)
            {
                cluster.DangerousRelease();
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        Interop.Rados.rados_ioctx_destroy(handle);
        _cluster?.DangerousRelease();
        _cluster = null;
        return true;
    }
}
