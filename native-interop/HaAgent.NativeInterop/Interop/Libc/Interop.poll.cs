using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const short POLLIN = 0x0001;
        internal const short POLLERR = 0x0008;
        internal const short POLLHUP = 0x0010;
        internal const short POLLNVAL = 0x0020;

        // struct pollfd keeps its C spelling, which C# reserves for future keywords.
#pragma warning disable CS8981
        [StructLayout(LayoutKind.Sequential)]
        internal struct pollfd
        {
            internal int fd;
            internal short events;
            internal short revents;
        }
#pragma warning restore CS8981

        /// <summary>poll(2). Raw descriptors: the caller keeps the SafeHandles alive (AddRef) for the duration.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static unsafe partial int poll(pollfd* fds, nuint nfds, int timeout);
    }
}
