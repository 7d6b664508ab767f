using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>Parses the task's data-in into the struct its CDB implies; the result lives in task memory and dies with the task.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "scsi_datain_unmarshall")]
        internal static unsafe partial void* scsi_datain_unmarshall(SafeScsiTaskHandle task);
    }
}
