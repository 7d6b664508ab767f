using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_logout_sync")]
        internal static partial int iscsi_logout_sync(SafeIscsiContextHandle iscsi);
    }
}
