using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>Blocks until this client holds the mon's newest osdmap epoch (bounded by rados_mon_op_timeout).</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_wait_for_latest_osdmap")]
        internal static partial int rados_wait_for_latest_osdmap(SafeRadosClusterHandle cluster);
    }
}
