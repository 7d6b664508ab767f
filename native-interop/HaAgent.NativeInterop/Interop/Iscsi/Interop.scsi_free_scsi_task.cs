using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        [LibraryImport(Libraries.Iscsi, EntryPoint = "scsi_free_scsi_task")]
        internal static partial void scsi_free_scsi_task(nint task);
    }
}
