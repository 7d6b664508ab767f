using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        // enum scsi_status (iscsi.h): SCSI statuses, then libiscsi's own transport outcomes.
        internal const int SCSI_STATUS_GOOD = 0;
        internal const int SCSI_STATUS_CHECK_CONDITION = 2;
        internal const int SCSI_STATUS_CONDITION_MET = 4;
        internal const int SCSI_STATUS_BUSY = 8;
        internal const int SCSI_STATUS_RESERVATION_CONFLICT = 0x18;
        internal const int SCSI_STATUS_TASK_SET_FULL = 0x28;
        internal const int SCSI_STATUS_ACA_ACTIVE = 0x30;
        internal const int SCSI_STATUS_TASK_ABORTED = 0x40;
        internal const int SCSI_STATUS_REDIRECT = 0x101;
        internal const int SCSI_STATUS_CANCELLED = 0x0f000000;
        internal const int SCSI_STATUS_ERROR = 0x0f000001;
        internal const int SCSI_STATUS_TIMEOUT = 0x0f000002;

        // enum scsi_sense_key (scsi-lowlevel.h)
        internal const int SCSI_SENSE_ILLEGAL_REQUEST = 0x05;
        internal const int SCSI_SENSE_UNIT_ATTENTION = 0x06;

        /// <summary>
        /// The head of struct scsi_task that HaAgent reads (x86_64 / LP64 offsets, checked with offsetof against
        /// libiscsi 1.19 headers). Only ever read through a pointer libiscsi handed out; never allocated here.
        /// </summary>
        [StructLayout(LayoutKind.Explicit)]
        internal struct scsi_task
        {
            [FieldOffset(0)] internal int status;
            /// <summary>struct scsi_sense.key (enum scsi_sense_key).</summary>
            [FieldOffset(52)] internal int sense_key;
            /// <summary>struct scsi_sense.ascq: (ASC &lt;&lt; 8) | ASCQ.</summary>
            [FieldOffset(56)] internal int sense_ascq;
            [FieldOffset(64)] internal int datain_size;
            [FieldOffset(72)] internal nint datain_data;
        }
    }
}
