using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>Closes the socket without a logout and frees the context and every task still queued on it.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_destroy_context")]
        internal static partial int iscsi_destroy_context(nint iscsi);
    }
}
