using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        internal const int VIR_DOMAIN_EVENT_ID_LIFECYCLE = 0;

        /// <summary>
        /// Returns a callback id (>= 0) or -1. <paramref name="cb"/> has the signature the event id implies
        /// (LIFECYCLE: int (*)(virConnectPtr, virDomainPtr, int event, int detail, void *opaque)).
        /// <paramref name="freecb"/> runs after deregistration, never when registration fails.
        /// <paramref name="dom"/> 0 means every domain.
        /// </summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectDomainEventRegisterAny")]
        internal static unsafe partial int virConnectDomainEventRegisterAny(
            SafeVirConnectHandle conn,
            nint dom,
            int eventID,
            nint cb,
            nint opaque,
            delegate* unmanaged<nint, void> freecb);
    }
}
