using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_write16_sync")]
        internal static unsafe partial SafeScsiTaskHandle iscsi_write16_sync(
            SafeIscsiContextHandle iscsi, int lun, ulong lba, byte* data, uint datalen, int blocksize,
            int wrprotect, int dpo, int fua, int fua_nv, int group_number);
    }
}
