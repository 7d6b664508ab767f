using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>TCP_SYNCNT for sockets created from now on: bounds a connect to a portal that drops SYNs.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_tcp_syncnt")]
        internal static partial void iscsi_set_tcp_syncnt(SafeIscsiContextHandle iscsi, int value);
    }
}
