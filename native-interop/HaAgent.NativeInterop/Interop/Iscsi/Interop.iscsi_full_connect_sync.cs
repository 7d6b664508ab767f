using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>TCP connect, login and TEST UNIT READY on <paramref name="lun"/>; 0 or negative.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_full_connect_sync", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int iscsi_full_connect_sync(SafeIscsiContextHandle iscsi, string portal, int lun);
    }
}
