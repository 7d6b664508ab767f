using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>Releases buffers librados allocated for command output (rados_mon_command outbuf/outs).</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_buffer_free")]
        internal static partial void rados_buffer_free(nint buf);
    }
}
