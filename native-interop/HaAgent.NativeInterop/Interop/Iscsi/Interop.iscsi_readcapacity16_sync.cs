using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_readcapacity16_sync")]
        internal static partial SafeScsiTaskHandle iscsi_readcapacity16_sync(SafeIscsiContextHandle iscsi, int lun);

        /// <summary>What scsi_datain_unmarshall makes of READ CAPACITY(16) data (host byte order).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct scsi_readcapacity16
        {
            internal ulong returned_lba;
            internal uint block_length;
            internal byte p_type;
            internal byte prot_en;
            internal byte p_i_exp;
            internal byte lbppbe;
            internal byte lbpme;
            internal byte lbprz;
            internal ushort lalba;
        }
    }
}
