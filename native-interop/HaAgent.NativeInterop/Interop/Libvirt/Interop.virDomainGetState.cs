using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetState")]
        internal static partial int virDomainGetState(SafeVirDomainHandle domain, out int state, out int reason, uint flags);
    }
}
