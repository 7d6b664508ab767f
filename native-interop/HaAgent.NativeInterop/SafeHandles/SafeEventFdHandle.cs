using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>An eventfd. A file descriptor, so invalid is -1.</summary>
internal sealed class SafeEventFdHandle : SafeHandle
{
    public SafeEventFdHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    internal SafeEventFdHandle(int fd)
        : this()
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    protected override bool ReleaseHandle() => Interop.Libc.close(handle) == 0;
}
