using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>-1 retries forever (the default), 0 never retries.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_reconnect_max_retries")]
        internal static partial void iscsi_set_reconnect_max_retries(SafeIscsiContextHandle iscsi, int count);
    }
}
