namespace HaAgent.NativeInterop.Libvirt;

/// <summary>libvirt's virErrorNumber: what went wrong. Values libvirt adds later still round-trip as numbers.</summary>
public enum LibvirtErrorCode
{
    /// <summary>VIR_ERR_OK</summary>
    Ok = 0,
    /// <summary>VIR_ERR_INTERNAL_ERROR</summary>
    InternalError = 1,
    /// <summary>VIR_ERR_NO_MEMORY</summary>
    NoMemory = 2,
    /// <summary>VIR_ERR_NO_SUPPORT</summary>
    NoSupport = 3,
    /// <summary>VIR_ERR_UNKNOWN_HOST</summary>
    UnknownHost = 4,
    /// <summary>VIR_ERR_NO_CONNECT</summary>
    NoConnect = 5,
    /// <summary>VIR_ERR_INVALID_CONN</summary>
    InvalidConn = 6,
    /// <summary>VIR_ERR_INVALID_DOMAIN</summary>
    InvalidDomain = 7,
    /// <summary>VIR_ERR_INVALID_ARG</summary>
    InvalidArg = 8,
    /// <summary>VIR_ERR_OPERATION_FAILED</summary>
    OperationFailed = 9,
    /// <summary>VIR_ERR_GET_FAILED</summary>
    GetFailed = 10,
    /// <summary>VIR_ERR_POST_FAILED</summary>
    PostFailed = 11,
    /// <summary>VIR_ERR_HTTP_ERROR</summary>
    HttpError = 12,
    /// <summary>VIR_ERR_SEXPR_SERIAL</summary>
    SexprSerial = 13,
    /// <summary>VIR_ERR_NO_XEN</summary>
    NoXen = 14,
    /// <summary>VIR_ERR_XEN_CALL</summary>
    XenCall = 15,
    /// <summary>VIR_ERR_OS_TYPE</summary>
    OsType = 16,
    /// <summary>VIR_ERR_NO_KERNEL</summary>
    NoKernel = 17,
    /// <summary>VIR_ERR_NO_ROOT</summary>
    NoRoot = 18,
    /// <summary>VIR_ERR_NO_SOURCE</summary>
    NoSource = 19,
    /// <summary>VIR_ERR_NO_TARGET</summary>
    NoTarget = 20,
    /// <summary>VIR_ERR_NO_NAME</summary>
    NoName = 21,
    /// <summary>VIR_ERR_NO_OS</summary>
    NoOs = 22,
    /// <summary>VIR_ERR_NO_DEVICE</summary>
    NoDevice = 23,
    /// <summary>VIR_ERR_NO_XENSTORE</summary>
    NoXenstore = 24,
    /// <summary>VIR_ERR_DRIVER_FULL</summary>
    DriverFull = 25,
    /// <summary>VIR_ERR_CALL_FAILED</summary>
    CallFailed = 26,
    /// <summary>VIR_ERR_XML_ERROR</summary>
    XmlError = 27,
    /// <summary>VIR_ERR_DOM_EXIST</summary>
    DomExist = 28,
    /// <summary>VIR_ERR_OPERATION_DENIED</summary>
    OperationDenied = 29,
    /// <summary>VIR_ERR_OPEN_FAILED</summary>
    OpenFailed = 30,
    /// <summary>VIR_ERR_READ_FAILED</summary>
    ReadFailed = 31,
    /// <summary>VIR_ERR_PARSE_FAILED</summary>
    ParseFailed = 32,
    /// <summary>VIR_ERR_CONF_SYNTAX</summary>
    ConfSyntax = 33,
    /// <summary>VIR_ERR_WRITE_FAILED</summary>
    WriteFailed = 34,
    /// <summary>VIR_ERR_XML_DETAIL</summary>
    XmlDetail = 35,
    /// <summary>VIR_ERR_INVALID_NETWORK</summary>
    InvalidNetwork = 36,
    /// <summary>VIR_ERR_NETWORK_EXIST</summary>
    NetworkExist = 37,
    /// <summary>VIR_ERR_SYSTEM_ERROR</summary>
    SystemError = 38,
    /// <summary>VIR_ERR_RPC</summary>
    Rpc = 39,
    /// <summary>VIR_ERR_GNUTLS_ERROR</summary>
    GnutlsError = 40,
    /// <summary>VIR_WAR_NO_NETWORK</summary>
    WarningNoNetwork = 41,
    /// <summary>VIR_ERR_NO_DOMAIN</summary>
    NoDomain = 42,
    /// <summary>VIR_ERR_NO_NETWORK</summary>
    NoNetwork = 43,
    /// <summary>VIR_ERR_INVALID_MAC</summary>
    InvalidMac = 44,
    /// <summary>VIR_ERR_AUTH_FAILED</summary>
    AuthFailed = 45,
    /// <summary>VIR_ERR_INVALID_STORAGE_POOL</summary>
    InvalidStoragePool = 46,
    /// <summary>VIR_ERR_INVALID_STORAGE_VOL</summary>
    InvalidStorageVol = 47,
    /// <summary>VIR_WAR_NO_STORAGE</summary>
    WarningNoStorage = 48,
    /// <summary>VIR_ERR_NO_STORAGE_POOL</summary>
    NoStoragePool = 49,
    /// <summary>VIR_ERR_NO_STORAGE_VOL</summary>
    NoStorageVol = 50,
    /// <summary>VIR_WAR_NO_NODE</summary>
    WarningNoNode = 51,
    /// <summary>VIR_ERR_INVALID_NODE_DEVICE</summary>
    InvalidNodeDevice = 52,
    /// <summary>VIR_ERR_NO_NODE_DEVICE</summary>
    NoNodeDevice = 53,
    /// <summary>VIR_ERR_NO_SECURITY_MODEL</summary>
    NoSecurityModel = 54,
    /// <summary>VIR_ERR_OPERATION_INVALID</summary>
    OperationInvalid = 55,
    /// <summary>VIR_WAR_NO_INTERFACE</summary>
    WarningNoInterface = 56,
    /// <summary>VIR_ERR_NO_INTERFACE</summary>
    NoInterface = 57,
    /// <summary>VIR_ERR_INVALID_INTERFACE</summary>
    InvalidInterface = 58,
    /// <summary>VIR_ERR_MULTIPLE_INTERFACES</summary>
    MultipleInterfaces = 59,
    /// <summary>VIR_WAR_NO_NWFILTER</summary>
    WarningNoNwfilter = 60,
    /// <summary>VIR_ERR_INVALID_NWFILTER</summary>
    InvalidNwfilter = 61,
    /// <summary>VIR_ERR_NO_NWFILTER</summary>
    NoNwfilter = 62,
    /// <summary>VIR_ERR_BUILD_FIREWALL</summary>
    BuildFirewall = 63,
    /// <summary>VIR_WAR_NO_SECRET</summary>
    WarningNoSecret = 64,
    /// <summary>VIR_ERR_INVALID_SECRET</summary>
    InvalidSecret = 65,
    /// <summary>VIR_ERR_NO_SECRET</summary>
    NoSecret = 66,
    /// <summary>VIR_ERR_CONFIG_UNSUPPORTED</summary>
    ConfigUnsupported = 67,
    /// <summary>VIR_ERR_OPERATION_TIMEOUT</summary>
    OperationTimeout = 68,
    /// <summary>VIR_ERR_MIGRATE_PERSIST_FAILED</summary>
    MigratePersistFailed = 69,
    /// <summary>VIR_ERR_HOOK_SCRIPT_FAILED</summary>
    HookScriptFailed = 70,
    /// <summary>VIR_ERR_INVALID_DOMAIN_SNAPSHOT</summary>
    InvalidDomainSnapshot = 71,
    /// <summary>VIR_ERR_NO_DOMAIN_SNAPSHOT</summary>
    NoDomainSnapshot = 72,
    /// <summary>VIR_ERR_INVALID_STREAM</summary>
    InvalidStream = 73,
    /// <summary>VIR_ERR_ARGUMENT_UNSUPPORTED</summary>
    ArgumentUnsupported = 74,
    /// <summary>VIR_ERR_STORAGE_PROBE_FAILED</summary>
    StorageProbeFailed = 75,
    /// <summary>VIR_ERR_STORAGE_POOL_BUILT</summary>
    StoragePoolBuilt = 76,
    /// <summary>VIR_ERR_SNAPSHOT_REVERT_RISKY</summary>
    SnapshotRevertRisky = 77,
    /// <summary>VIR_ERR_OPERATION_ABORTED</summary>
    OperationAborted = 78,
    /// <summary>VIR_ERR_AUTH_CANCELLED</summary>
    AuthCancelled = 79,
    /// <summary>VIR_ERR_NO_DOMAIN_METADATA</summary>
    NoDomainMetadata = 80,
    /// <summary>VIR_ERR_MIGRATE_UNSAFE</summary>
    MigrateUnsafe = 81,
    /// <summary>VIR_ERR_OVERFLOW</summary>
    Overflow = 82,
    /// <summary>VIR_ERR_BLOCK_COPY_ACTIVE</summary>
    BlockCopyActive = 83,
    /// <summary>VIR_ERR_OPERATION_UNSUPPORTED</summary>
    OperationUnsupported = 84,
    /// <summary>VIR_ERR_SSH</summary>
    Ssh = 85,
    /// <summary>VIR_ERR_AGENT_UNRESPONSIVE</summary>
    AgentUnresponsive = 86,
    /// <summary>VIR_ERR_RESOURCE_BUSY</summary>
    ResourceBusy = 87,
    /// <summary>VIR_ERR_ACCESS_DENIED</summary>
    AccessDenied = 88,
    /// <summary>VIR_ERR_DBUS_SERVICE</summary>
    DbusService = 89,
    /// <summary>VIR_ERR_STORAGE_VOL_EXIST</summary>
    StorageVolExist = 90,
    /// <summary>VIR_ERR_CPU_INCOMPATIBLE</summary>
    CpuIncompatible = 91,
    /// <summary>VIR_ERR_XML_INVALID_SCHEMA</summary>
    XmlInvalidSchema = 92,
    /// <summary>VIR_ERR_MIGRATE_FINISH_OK</summary>
    MigrateFinishOk = 93,
    /// <summary>VIR_ERR_AUTH_UNAVAILABLE</summary>
    AuthUnavailable = 94,
    /// <summary>VIR_ERR_NO_SERVER</summary>
    NoServer = 95,
    /// <summary>VIR_ERR_NO_CLIENT</summary>
    NoClient = 96,
    /// <summary>VIR_ERR_AGENT_UNSYNCED</summary>
    AgentUnsynced = 97,
    /// <summary>VIR_ERR_LIBSSH</summary>
    Libssh = 98,
    /// <summary>VIR_ERR_DEVICE_MISSING</summary>
    DeviceMissing = 99,
    /// <summary>VIR_ERR_INVALID_NWFILTER_BINDING</summary>
    InvalidNwfilterBinding = 100,
    /// <summary>VIR_ERR_NO_NWFILTER_BINDING</summary>
    NoNwfilterBinding = 101,
    /// <summary>VIR_ERR_INVALID_DOMAIN_CHECKPOINT</summary>
    InvalidDomainCheckpoint = 102,
    /// <summary>VIR_ERR_NO_DOMAIN_CHECKPOINT</summary>
    NoDomainCheckpoint = 103,
    /// <summary>VIR_ERR_NO_DOMAIN_BACKUP</summary>
    NoDomainBackup = 104,
    /// <summary>VIR_ERR_INVALID_NETWORK_PORT</summary>
    InvalidNetworkPort = 105,
    /// <summary>VIR_ERR_NETWORK_PORT_EXIST</summary>
    NetworkPortExist = 106,
    /// <summary>VIR_ERR_NO_NETWORK_PORT</summary>
    NoNetworkPort = 107,
    /// <summary>VIR_ERR_NO_HOSTNAME</summary>
    NoHostname = 108,
    /// <summary>VIR_ERR_CHECKPOINT_INCONSISTENT</summary>
    CheckpointInconsistent = 109,
    /// <summary>VIR_ERR_MULTIPLE_DOMAINS</summary>
    MultipleDomains = 110,
}
