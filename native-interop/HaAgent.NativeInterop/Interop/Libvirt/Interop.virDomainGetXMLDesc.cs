using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        internal const uint VIR_DOMAIN_XML_SECURE = 1 << 0;
        internal const uint VIR_DOMAIN_XML_INACTIVE = 1 << 1;

        /// <summary>The returned string is the caller's: release it with free().</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetXMLDesc")]
        internal static partial nint virDomainGetXMLDesc(SafeVirDomainHandle domain, uint flags);
    }
}
