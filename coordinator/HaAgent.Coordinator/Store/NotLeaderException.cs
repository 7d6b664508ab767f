namespace HaAgent.Coordinator.Store;

/// <summary>A write was made under a leadership that is no longer the current one; the store changed nothing.</summary>
internal sealed class NotLeaderException : Exception
{
    public NotLeaderException()
    {
    }

    public NotLeaderException(string message)
        : base(message)
    {
    }

    public NotLeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NotLeaderException(string instanceId, long epoch)
        : base($"instance '{instanceId}' no longer leads with epoch {epoch}; nothing was written")
    {
        InstanceId = instanceId;
        Epoch = epoch;
    }

    public string? InstanceId { get; }

    public long Epoch { get; }
}
