using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>1 = a dropped session fails every queued task (status SCSI_STATUS_CANCELLED) instead of reconnecting forever.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_noautoreconnect")]
        internal static partial void iscsi_set_noautoreconnect(SafeIscsiContextHandle iscsi, int state);
    }
}
