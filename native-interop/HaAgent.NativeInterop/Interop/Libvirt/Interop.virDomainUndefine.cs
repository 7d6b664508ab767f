using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainUndefine")]
        internal static partial int virDomainUndefine(SafeVirDomainHandle domain);
    }
}
