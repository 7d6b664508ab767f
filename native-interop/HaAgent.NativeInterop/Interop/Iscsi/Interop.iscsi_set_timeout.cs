using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>Seconds after which a PDU queued from now on completes with SCSI_STATUS_TIMEOUT; 0 = never.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_timeout")]
        internal static partial int iscsi_set_timeout(SafeIscsiContextHandle iscsi, int timeout);
    }
}
