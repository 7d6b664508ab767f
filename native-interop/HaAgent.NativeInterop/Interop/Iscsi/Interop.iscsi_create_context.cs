using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>Returns NULL on failure; the initiator IQN names this I_T nexus to the target.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_create_context", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeIscsiContextHandle iscsi_create_context(string initiator_name);
    }
}
