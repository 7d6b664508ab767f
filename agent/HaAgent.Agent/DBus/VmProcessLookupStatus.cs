namespace HaAgent.Agent.DBus;

internal enum VmProcessLookupStatus
{
    /// <summary>machined knows the VM: leader PID and scope are set.</summary>
    Found,

    /// <summary>machined answered and has no machine for this VM.</summary>
    NotFound,

    /// <summary>machined could not be asked (no bus, machined absent, no reply): says nothing about the VM.</summary>
    Unavailable,
}
