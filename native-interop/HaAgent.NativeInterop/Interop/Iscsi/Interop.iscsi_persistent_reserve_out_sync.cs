using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        // enum scsi_persistent_out_sa
        internal const int SCSI_PERSISTENT_RESERVE_REGISTER = 0;
        internal const int SCSI_PERSISTENT_RESERVE_RESERVE = 1;
        internal const int SCSI_PERSISTENT_RESERVE_RELEASE = 2;
        internal const int SCSI_PERSISTENT_RESERVE_CLEAR = 3;
        internal const int SCSI_PERSISTENT_RESERVE_PREEMPT = 4;
        internal const int SCSI_PERSISTENT_RESERVE_PREEMPT_AND_ABORT = 5;
        internal const int SCSI_PERSISTENT_RESERVE_REGISTER_AND_IGNORE_EXISTING_KEY = 6;

        // enum scsi_persistent_out_scope
        internal const int SCSI_PERSISTENT_RESERVE_SCOPE_LU = 0;

        /// <summary>PR OUT basic parameter list as libiscsi takes it: keys in host order (libiscsi converts), 24 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct scsi_persistent_reserve_out_basic
        {
            internal ulong reservation_key;
            internal ulong service_action_reservation_key;
            internal byte spec_i_pt;
            internal byte all_tg_pt;
            internal byte aptpl;
        }

        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_persistent_reserve_out_sync")]
        internal static unsafe partial SafeScsiTaskHandle iscsi_persistent_reserve_out_sync(
            SafeIscsiContextHandle iscsi, int lun, int sa, int scope, int type, scsi_persistent_reserve_out_basic* @params);
    }
}
