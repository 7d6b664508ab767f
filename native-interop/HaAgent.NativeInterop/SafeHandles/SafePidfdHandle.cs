using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>A pidfd (pidfd_open). A file descriptor, so invalid is -1 (0 is a legitimate descriptor number).</summary>
internal sealed class SafePidfdHandle : SafeHandle
{
    public SafePidfdHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    internal SafePidfdHandle(int fd)
        : this()
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    protected override bool ReleaseHandle() => Interop.Libc.close(handle) == 0;
}
