namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    /// <summary>The only native libraries HaAgent loads; sonames pin the ABI we were built against.</summary>
    internal static class Libraries
    {
        internal const string Libvirt = "libvirt.so.0";
        /// <summary>libvirt's QEMU-specific entry points (raw monitor commands); shipped in the libvirt0 package.</summary>
        internal const string LibvirtQemu = "libvirt-qemu.so.0";
        internal const string Rados = "librados.so.2";
        internal const string Iscsi = "libiscsi.so.7";
        internal const string Libc = "libc";
    }
}
