using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        internal const uint VIR_CONNECT_LIST_DOMAINS_ACTIVE = 1 << 0;
        internal const uint VIR_CONNECT_LIST_DOMAINS_INACTIVE = 1 << 1;

        /// <summary>
        /// On success <paramref name="domains"/> is a malloc'ed array of count virDomainPtr: each one must be
        /// released with virDomainFree and the array itself with free().
        /// </summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virConnectListAllDomains")]
        internal static partial int virConnectListAllDomains(SafeVirConnectHandle conn, out nint domains, uint flags);
    }
}
