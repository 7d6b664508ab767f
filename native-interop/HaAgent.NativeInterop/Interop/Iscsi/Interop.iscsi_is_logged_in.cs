using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_is_logged_in")]
        internal static partial int iscsi_is_logged_in(SafeIscsiContextHandle iscsi);
    }
}
