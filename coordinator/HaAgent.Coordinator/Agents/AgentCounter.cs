namespace HaAgent.Coordinator.Agents;

/// <summary>What <see cref="AgentEndpointMetrics"/> counts: one value per request outcome and per outbox decision.</summary>
internal enum AgentCounter
{
    /// <summary>A message handed to the engine and answered 200 with a heartbeat ack.</summary>
    MessageAccepted,

    /// <summary>An order poll answered 200 with an order frame.</summary>
    PollDelivered,

    /// <summary>An order poll that waited the whole poll time: 204.</summary>
    PollEmpty,

    /// <summary>An order poll released by a newer poll of the same host: 204.</summary>
    PollSuperseded,

    /// <summary>An order poll released because the outbox was cleared (leadership lost).</summary>
    PollCleared,

    /// <summary>503: this instance does not lead.</summary>
    NotLeader,

    UnsupportedMediaType,
    TooLarge,
    Malformed,
    Invalid,
    UnsupportedVersion,
    Unauthenticated,
    Expired,
    Replayed,

    /// <summary>Orders the engine queued for an agent.</summary>
    OrderQueued,

    /// <summary>Orders refused because their host's queue was full (the agent is not polling).</summary>
    OrderRefusedQueueFull,

    /// <summary>Orders refused because a newer epoch already ordered that host (a superseded leader's late order).</summary>
    OrderRefusedStaleEpoch,

    /// <summary>Queued orders dropped without delivery: cleared, or of an epoch older than the current one.</summary>
    OrderDropped,
}
