using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        internal const int VIR_CONNECT_CLOSE_REASON_ERROR = 0;
        internal const int VIR_CONNECT_CLOSE_REASON_EOF = 1;
        internal const int VIR_CONNECT_CLOSE_REASON_KEEPALIVE = 2;
        internal const int VIR_CONNECT_CLOSE_REASON_CLIENT = 3;

        /// <summary>
        /// One close callback per connection. <paramref name="freecb"/> releases <paramref name="opaque"/> once
        /// libvirt is done with it (unregister or connection disposal), never when registration fails.
        /// </summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectRegisterCloseCallback")]
        internal static unsafe partial int virConnectRegisterCloseCallback(
            SafeVirConnectHandle conn,
            delegate* unmanaged<nint, int, nint, void> cb,
            nint opaque,
            delegate* unmanaged<nint, void> freecb);
    }
}
