using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        internal const uint VIR_DOMAIN_CONTROL_OK = 0;
        internal const uint VIR_DOMAIN_CONTROL_JOB = 1;
        internal const uint VIR_DOMAIN_CONTROL_OCCUPIED = 2;
        internal const uint VIR_DOMAIN_CONTROL_ERROR = 3;

        [StructLayout(LayoutKind.Sequential)]
        internal struct virDomainControlInfo
        {
            internal uint state;
            internal uint details;
            /// <summary>Milliseconds spent in the current state (JOB and OCCUPIED only).</summary>
            internal ulong stateTime;
        }

        /// <summary>Answered by libvirt from its own bookkeeping: it never enters the QEMU monitor, so a frozen QEMU cannot block it.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetControlInfo")]
        internal static partial int virDomainGetControlInfo(SafeVirDomainHandle domain, out virDomainControlInfo info, uint flags);
    }
}
