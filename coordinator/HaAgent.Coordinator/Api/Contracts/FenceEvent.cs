namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>
/// One step of a host's fence history, from the engine's audit: ordered, an attempt failed, verified (with the proof
/// in <see cref="Evidence"/>), cannot fence, not needed, or the host fenced itself.
/// </summary>
/// <param name="Sequence">The audit entry it came from (use it as <c>after</c>).</param>
/// <param name="Index">Its place among that entry's records.</param>
/// <param name="Time">When the engine decided it (the record's own time).</param>
internal sealed record FenceEvent(
    long Sequence,
    int Index,
    long Epoch,
    DateTimeOffset RecordedAt,
    DateTimeOffset? Time,
    string Kind,
    string? Host,
    string? Decision,
    string? Evidence);
