namespace HaAgent.Core.Model;

/// <summary>The coordinator's verdict on a host. Only <see cref="Healthy"/> hosts receive VMs or execute fences.</summary>
public enum HostState
{
    /// <summary>Network heartbeats are fresh.</summary>
    Healthy,

    /// <summary>Network heartbeats are late; nothing is decided yet.</summary>
    Suspect,

    /// <summary>Network silent but the storage heartbeat still advances: the host may still write. Never released without a fence.</summary>
    Isolated,

    /// <summary>Network and storage heartbeats both silent. Still fenced before anything restarts: it may only be hung.</summary>
    Dead,

    /// <summary>A fence order is out; its VMs stay down until a peer proves the host is cut off.</summary>
    Fencing,

    /// <summary>Every fence attempt of a round failed or went unproven. Loud; VMs stay down; a new round follows later.</summary>
    FenceFailed,

    /// <summary>A peer proved the host can no longer write its volumes; its VMs were released.</summary>
    Fenced,

    /// <summary>The host reported it stopped its own VMs and stays off its volumes; its VMs were released.</summary>
    SelfFenced,

    /// <summary>A fenced host talks again: its leftover VMs are being stopped before it is unfenced.</summary>
    Returning,

    /// <summary>Leftovers are gone; the host's agent is lifting the fence before the host rejoins.</summary>
    Unfencing,

    /// <summary>An operator took the host out: its VMs are drained and it receives none.</summary>
    Maintenance,
}
