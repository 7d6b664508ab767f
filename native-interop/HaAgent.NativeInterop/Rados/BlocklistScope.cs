namespace HaAgent.NativeInterop.Rados;

/// <summary>What a blocklist entry fences.</summary>
public enum BlocklistScope
{
    /// <summary>Exactly one client instance, <c>IP:0/NONCE</c>. Other clients on the same host keep working.</summary>
    Client = 0,

    /// <summary>
    /// Every client on the host's IP (<c>IP:0/0</c>): the host's VMs, but also any fencer or agent sharing that IP.
    /// Must be asked for explicitly because on a shared address it fences the caller too.
    /// </summary>
    WholeHost = 1,
}
