namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Why a connection closed (virConnectCloseReason).</summary>
public enum ConnectionCloseReason
{
    /// <summary>I/O error on the connection.</summary>
    Error = 0,

    /// <summary>The daemon closed the connection (or died).</summary>
    EndOfFile = 1,

    /// <summary>No keepalive answer within interval × count: the daemon or the link is hung.</summary>
    KeepAlive = 2,

    /// <summary>This side closed it (Dispose).</summary>
    Client = 3,
}
