namespace HaAgent.NativeInterop.Libvirt;

/// <summary>libvirt's virErrorDomain: which part of libvirt raised the error.</summary>
public enum LibvirtErrorDomain
{
    /// <summary>VIR_FROM_NONE</summary>
    None = 0,
    /// <summary>VIR_FROM_XEN</summary>
    Xen = 1,
    /// <summary>VIR_FROM_XEND</summary>
    Xend = 2,
    /// <summary>VIR_FROM_XENSTORE</summary>
    Xenstore = 3,
    /// <summary>VIR_FROM_SEXPR</summary>
    Sexpr = 4,
    /// <summary>VIR_FROM_XML</summary>
    Xml = 5,
    /// <summary>VIR_FROM_DOM</summary>
    Dom = 6,
    /// <summary>VIR_FROM_RPC</summary>
    Rpc = 7,
    /// <summary>VIR_FROM_PROXY</summary>
    Proxy = 8,
    /// <summary>VIR_FROM_CONF</summary>
    Conf = 9,
    /// <summary>VIR_FROM_QEMU</summary>
    Qemu = 10,
    /// <summary>VIR_FROM_NET</summary>
    Net = 11,
    /// <summary>VIR_FROM_TEST</summary>
    Test = 12,
    /// <summary>VIR_FROM_REMOTE</summary>
    Remote = 13,
    /// <summary>VIR_FROM_OPENVZ</summary>
    Openvz = 14,
    /// <summary>VIR_FROM_XENXM</summary>
    Xenxm = 15,
    /// <summary>VIR_FROM_STATS_LINUX</summary>
    StatsLinux = 16,
    /// <summary>VIR_FROM_LXC</summary>
    Lxc = 17,
    /// <summary>VIR_FROM_STORAGE</summary>
    Storage = 18,
    /// <summary>VIR_FROM_NETWORK</summary>
    Network = 19,
    /// <summary>VIR_FROM_DOMAIN</summary>
    Domain = 20,
    /// <summary>VIR_FROM_UML</summary>
    Uml = 21,
    /// <summary>VIR_FROM_NODEDEV</summary>
    Nodedev = 22,
    /// <summary>VIR_FROM_XEN_INOTIFY</summary>
    XenInotify = 23,
    /// <summary>VIR_FROM_SECURITY</summary>
    Security = 24,
    /// <summary>VIR_FROM_VBOX</summary>
    Vbox = 25,
    /// <summary>VIR_FROM_INTERFACE</summary>
    Interface = 26,
    /// <summary>VIR_FROM_ONE</summary>
    One = 27,
    /// <summary>VIR_FROM_ESX</summary>
    Esx = 28,
    /// <summary>VIR_FROM_PHYP</summary>
    Phyp = 29,
    /// <summary>VIR_FROM_SECRET</summary>
    Secret = 30,
    /// <summary>VIR_FROM_CPU</summary>
    Cpu = 31,
    /// <summary>VIR_FROM_XENAPI</summary>
    Xenapi = 32,
    /// <summary>VIR_FROM_NWFILTER</summary>
    Nwfilter = 33,
    /// <summary>VIR_FROM_HOOK</summary>
    Hook = 34,
    /// <summary>VIR_FROM_DOMAIN_SNAPSHOT</summary>
    DomainSnapshot = 35,
    /// <summary>VIR_FROM_AUDIT</summary>
    Audit = 36,
    /// <summary>VIR_FROM_SYSINFO</summary>
    Sysinfo = 37,
    /// <summary>VIR_FROM_STREAMS</summary>
    Streams = 38,
    /// <summary>VIR_FROM_VMWARE</summary>
    Vmware = 39,
    /// <summary>VIR_FROM_EVENT</summary>
    Event = 40,
    /// <summary>VIR_FROM_LIBXL</summary>
    Libxl = 41,
    /// <summary>VIR_FROM_LOCKING</summary>
    Locking = 42,
    /// <summary>VIR_FROM_HYPERV</summary>
    Hyperv = 43,
    /// <summary>VIR_FROM_CAPABILITIES</summary>
    Capabilities = 44,
    /// <summary>VIR_FROM_URI</summary>
    Uri = 45,
    /// <summary>VIR_FROM_AUTH</summary>
    Auth = 46,
    /// <summary>VIR_FROM_DBUS</summary>
    Dbus = 47,
    /// <summary>VIR_FROM_PARALLELS</summary>
    Parallels = 48,
    /// <summary>VIR_FROM_DEVICE</summary>
    Device = 49,
    /// <summary>VIR_FROM_SSH</summary>
    Ssh = 50,
    /// <summary>VIR_FROM_LOCKSPACE</summary>
    Lockspace = 51,
    /// <summary>VIR_FROM_INITCTL</summary>
    Initctl = 52,
    /// <summary>VIR_FROM_IDENTITY</summary>
    Identity = 53,
    /// <summary>VIR_FROM_CGROUP</summary>
    Cgroup = 54,
    /// <summary>VIR_FROM_ACCESS</summary>
    Access = 55,
    /// <summary>VIR_FROM_SYSTEMD</summary>
    Systemd = 56,
    /// <summary>VIR_FROM_BHYVE</summary>
    Bhyve = 57,
    /// <summary>VIR_FROM_CRYPTO</summary>
    Crypto = 58,
    /// <summary>VIR_FROM_FIREWALL</summary>
    Firewall = 59,
    /// <summary>VIR_FROM_POLKIT</summary>
    Polkit = 60,
    /// <summary>VIR_FROM_THREAD</summary>
    Thread = 61,
    /// <summary>VIR_FROM_ADMIN</summary>
    Admin = 62,
    /// <summary>VIR_FROM_LOGGING</summary>
    Logging = 63,
    /// <summary>VIR_FROM_XENXL</summary>
    Xenxl = 64,
    /// <summary>VIR_FROM_PERF</summary>
    Perf = 65,
    /// <summary>VIR_FROM_LIBSSH</summary>
    Libssh = 66,
    /// <summary>VIR_FROM_RESCTRL</summary>
    Resctrl = 67,
    /// <summary>VIR_FROM_FIREWALLD</summary>
    Firewalld = 68,
    /// <summary>VIR_FROM_DOMAIN_CHECKPOINT</summary>
    DomainCheckpoint = 69,
    /// <summary>VIR_FROM_TPM</summary>
    Tpm = 70,
    /// <summary>VIR_FROM_BPF</summary>
    Bpf = 71,
    /// <summary>VIR_FROM_CH</summary>
    Ch = 72,
}
