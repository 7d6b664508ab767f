using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>Drops one reference; only SafeVirConnectHandle.ReleaseHandle calls it.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectClose")]
        internal static partial int virConnectClose(nint conn);
    }
}
