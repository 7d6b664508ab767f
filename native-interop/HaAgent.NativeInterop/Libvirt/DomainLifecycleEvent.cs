namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// One VIR_DOMAIN_EVENT_ID_LIFECYCLE event. <see cref="Detail"/> is the raw number; the typed properties give
/// it the enum that matches <see cref="Type"/> and are null for the other types.
/// </summary>
public readonly record struct DomainLifecycleEvent(string DomainName, Guid DomainUuid, DomainEventType Type, int Detail)
{
    public DomainEventDefinedDetail? DefinedDetail => Type == DomainEventType.Defined ? (DomainEventDefinedDetail)Detail : null;

    public DomainEventUndefinedDetail? UndefinedDetail => Type == DomainEventType.Undefined ? (DomainEventUndefinedDetail)Detail : null;

    public DomainEventStartedDetail? StartedDetail => Type == DomainEventType.Started ? (DomainEventStartedDetail)Detail : null;

    public DomainEventSuspendedDetail? SuspendedDetail => Type == DomainEventType.Suspended ? (DomainEventSuspendedDetail)Detail : null;

    public DomainEventResumedDetail? ResumedDetail => Type == DomainEventType.Resumed ? (DomainEventResumedDetail)Detail : null;

    public DomainEventStoppedDetail? StoppedDetail => Type == DomainEventType.Stopped ? (DomainEventStoppedDetail)Detail : null;

    public DomainEventShutdownDetail? ShutdownDetail => Type == DomainEventType.Shutdown ? (DomainEventShutdownDetail)Detail : null;

    public DomainEventPMSuspendedDetail? PMSuspendedDetail => Type == DomainEventType.PMSuspended ? (DomainEventPMSuspendedDetail)Detail : null;

    public DomainEventCrashedDetail? CrashedDetail => Type == DomainEventType.Crashed ? (DomainEventCrashedDetail)Detail : null;

    /// <summary>"Stopped/Destroyed" style text for logs.</summary>
    public string Describe() => Type switch
    {
        DomainEventType.Defined => $"{Type}/{DefinedDetail}",
        DomainEventType.Undefined => $"{Type}/{UndefinedDetail}",
        DomainEventType.Started => $"{Type}/{StartedDetail}",
        DomainEventType.Suspended => $"{Type}/{SuspendedDetail}",
        DomainEventType.Resumed => $"{Type}/{ResumedDetail}",
        DomainEventType.Stopped => $"{Type}/{StoppedDetail}",
        DomainEventType.Shutdown => $"{Type}/{ShutdownDetail}",
        DomainEventType.PMSuspended => $"{Type}/{PMSuspendedDetail}",
        DomainEventType.Crashed => $"{Type}/{CrashedDetail}",
        _ => $"{(int)Type}/{Detail}",
    };
}
