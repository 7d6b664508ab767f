namespace HaAgent.Testing.Iscsi;

/// <summary>How far <see cref="IscsiHostPair.StartAsync"/> takes the two hosts' reservation state.</summary>
public enum IscsiHostSetup
{
    /// <summary>Both hosts logged in, nothing registered.</summary>
    Connected,

    /// <summary>Host A registered <see cref="IscsiTestHosts.KeyA"/>, host B <see cref="IscsiTestHosts.KeyB"/>.</summary>
    Registered,

    /// <summary>Both registered and host A holds a write-exclusive-registrants-only reservation: the state a fence preempts.</summary>
    ReservedByA,
}
