using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Iscsi
    {
        internal const int ISCSI_HEADER_DIGEST_NONE = 0;
        internal const int ISCSI_HEADER_DIGEST_NONE_CRC32C = 1;
        internal const int ISCSI_HEADER_DIGEST_CRC32C_NONE = 2;
        internal const int ISCSI_HEADER_DIGEST_CRC32C = 3;

        [LibraryImport(Libraries.Iscsi, EntryPoint = "iscsi_set_header_digest")]
        internal static partial int iscsi_set_header_digest(SafeIscsiContextHandle iscsi, int header_digest);
    }
}
