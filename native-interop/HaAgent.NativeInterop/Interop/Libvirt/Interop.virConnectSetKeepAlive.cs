using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>
        /// 0 on success, 1 when the remote party does not support keepalive, -1 on error. Needs the event loop
        /// to be running: the keepalive timer lives there.
        /// </summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectSetKeepAlive")]
        internal static partial int virConnectSetKeepAlive(SafeVirConnectHandle conn, int interval, uint count);
    }
}
