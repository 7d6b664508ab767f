using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_targetname", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int iscsi_set_targetname(SafeIscsiContextHandle iscsi, string targetname);
    }
}
