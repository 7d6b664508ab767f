using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>
        /// Sends one JSON command to a mon. <paramref name="outbuf"/> and <paramref name="outs"/> are set even on failure
        /// (NULL when empty) and must be released with <see cref="rados_buffer_free"/>.
        /// </summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_mon_command")]
        internal static unsafe partial int rados_mon_command(
            SafeRadosClusterHandle cluster,
            byte** cmd,
            nuint cmdlen,
            byte* inbuf,
            nuint inbuflen,
            out nint outbuf,
            out nuint outbuflen,
            out nint outs,
            out nuint outslen);
    }
}
