using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>libvirt documents this as mandatory before any other call in a multi-threaded program.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virInitialize")]
        internal static partial int virInitialize();
    }
}
