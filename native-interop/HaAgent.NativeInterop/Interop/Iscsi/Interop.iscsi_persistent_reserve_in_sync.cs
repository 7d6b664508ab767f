using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        // enum scsi_persistent_in_sa
        internal const int SCSI_PERSISTENT_RESERVE_READ_KEYS = 0;
        internal const int SCSI_PERSISTENT_RESERVE_READ_RESERVATION = 1;

        /// <summary>Header of the unmarshalled READ KEYS data; <c>num_keys</c> uint64 keys follow at <see cref="ReadKeysKeysOffset"/>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct scsi_persistent_reserve_in_read_keys
        {
            internal uint prgeneration;
            internal uint additional_length;
            internal int num_keys;
        }

        /// <summary>offsetof(struct scsi_persistent_reserve_in_read_keys, keys): the flexible array is 8-byte aligned.</summary>
        internal const int ReadKeysKeysOffset = 16;

        [StructLayout(LayoutKind.Sequential)]
        internal struct scsi_persistent_reserve_in_read_reservation
        {
            internal uint prgeneration;
            internal uint additional_length;
            internal int reserved;
            internal ulong reservation_key;
            internal byte pr_scope;
            internal byte pr_type;
        }

        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_persistent_reserve_in_sync")]
        internal static partial SafeScsiTaskHandle iscsi_persistent_reserve_in_sync(SafeIscsiContextHandle iscsi, int lun, int sa, ushort xferlen);
    }
}
