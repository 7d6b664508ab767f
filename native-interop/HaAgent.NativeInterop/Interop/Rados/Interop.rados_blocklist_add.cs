using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>
        /// Sends "osd blocklist add" and then waits for the latest osdmap, so on success this client holds an epoch that
        /// includes the entry. <paramref name="expire_seconds"/> 0 means the cluster default (mon_osd_blocklist_default_expire, 1 h).
        /// </summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_blocklist_add", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rados_blocklist_add(SafeRadosClusterHandle cluster, string client_address, uint expire_seconds);
    }
}
