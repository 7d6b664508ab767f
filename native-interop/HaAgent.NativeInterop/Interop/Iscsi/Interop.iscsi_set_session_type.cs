using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        internal const int ISCSI_SESSION_DISCOVERY = 1;
        internal const int ISCSI_SESSION_NORMAL = 2;

        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_session_type")]
        internal static partial int iscsi_set_session_type(SafeIscsiContextHandle iscsi, int session_type);
    }
}
