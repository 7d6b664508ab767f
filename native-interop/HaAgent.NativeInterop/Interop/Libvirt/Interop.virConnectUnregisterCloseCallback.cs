using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary><paramref name="cb"/> must be the pointer given to virConnectRegisterCloseCallback.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectUnregisterCloseCallback")]
        internal static unsafe partial int virConnectUnregisterCloseCallback(
            SafeVirConnectHandle conn,
            delegate* unmanaged<nint, int, nint, void> cb);
    }
}
