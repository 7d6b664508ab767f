namespace HaAgent.Coordinator.Store;

/// <summary>The store did not answer in time or failed; the outcome of a write is unknown (it may or may not have applied).</summary>
internal sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
