using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_read16_sync")]
        internal static partial SafeScsiTaskHandle iscsi_read16_sync(
            SafeIscsiContextHandle iscsi, int lun, ulong lba, uint datalen, int blocksize,
            int rdprotect, int dpo, int fua, int fua_nv, int group_number);
    }
}
