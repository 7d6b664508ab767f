using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        /// <summary>The context owns the returned string: never free it, copy it before the next call.</summary>
        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_get_error")]
        internal static partial nint iscsi_get_error(SafeIscsiContextHandle iscsi);

        internal static string GetError(SafeIscsiContextHandle iscsi) =>
            Marshal.PtrToStringUTF8(iscsi_get_error(iscsi)) is { Length: > 0 } error ? error.TrimEnd() : "no error text from libiscsi";
    }
}
