using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>Must happen before the first connection is opened, or that connection gets no events or keepalive.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virEventRegisterDefaultImpl")]
        internal static partial int virEventRegisterDefaultImpl();
    }
}
