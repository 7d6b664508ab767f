using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class LibvirtQemu
    {
        internal const uint VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT = 0;
        internal const uint VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP = 1 << 0;

        /// <summary>
        /// Sends <paramref name="cmd"/> (QMP JSON by default) to the domain's monitor and waits for QEMU's reply, with no
        /// timeout of its own. <paramref name="result"/> is the caller's: release it with free().
        /// </summary>
        [LibraryImport(Libraries.LibvirtQemu, EntryPoint = "virDomainQemuMonitorCommand", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int virDomainQemuMonitorCommand(SafeVirDomainHandle domain, string cmd, out nint result, uint flags);
    }
}
