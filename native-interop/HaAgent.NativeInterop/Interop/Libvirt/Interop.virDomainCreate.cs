using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainCreate")]
        internal static partial int virDomainCreate(SafeVirDomainHandle domain);
    }
}
