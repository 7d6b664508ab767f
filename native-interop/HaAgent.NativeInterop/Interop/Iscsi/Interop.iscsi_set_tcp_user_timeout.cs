using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>TCP_USER_TIMEOUT (ms) for sockets created from now on: bounds unacknowledged data to a vanished peer.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_tcp_user_timeout")]
        internal static partial void iscsi_set_tcp_user_timeout(SafeIscsiContextHandle iscsi, int timeout_ms);
    }
}
