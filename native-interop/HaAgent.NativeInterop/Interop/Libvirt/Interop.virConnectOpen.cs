using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>Returns an invalid handle on failure; the reason is in virGetLastError on this thread.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectOpen", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial SafeVirConnectHandle virConnectOpen(string name);
    }
}
