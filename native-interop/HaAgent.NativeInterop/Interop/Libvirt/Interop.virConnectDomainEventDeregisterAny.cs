using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectDomainEventDeregisterAny")]
        internal static partial int virConnectDomainEventDeregisterAny(SafeVirConnectHandle conn, int callbackID);
    }
}
