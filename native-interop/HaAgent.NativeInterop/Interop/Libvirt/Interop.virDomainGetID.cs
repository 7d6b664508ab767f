using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>(unsigned int)-1 for a domain that is not running (and on error).</summary>
        internal const uint VIR_DOMAIN_ID_NONE = uint.MaxValue;

        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetID")]
        internal static partial uint virDomainGetID(SafeVirDomainHandle domain);
    }
}
