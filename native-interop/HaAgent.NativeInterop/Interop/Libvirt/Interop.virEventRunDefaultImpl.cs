using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>One iteration of the default poll loop; blocks until a handle or timer fires.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virEventRunDefaultImpl")]
        internal static partial int virEventRunDefaultImpl();
    }
}
