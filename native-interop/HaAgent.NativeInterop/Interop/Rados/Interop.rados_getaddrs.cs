using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>The client's own messenger address ("IP:0/NONCE"); <paramref name="addrs"/> is malloc'ed: release with <see cref="Libc.free"/>.</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_getaddrs")]
        internal static partial int rados_getaddrs(SafeRadosClusterHandle cluster, out nint addrs);
    }
}
