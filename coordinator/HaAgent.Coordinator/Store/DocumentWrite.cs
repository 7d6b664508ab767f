namespace HaAgent.Coordinator.Store;

/// <summary>One document change in a <see cref="ICoordinatorStore.CommitAsync"/> batch: a put, or a delete when <see cref="Value"/> is null.</summary>
internal sealed record DocumentWrite(string Key, ReadOnlyMemory<byte>? Value, long? ExpectedVersion = null)
{
    public static DocumentWrite Put(string key, ReadOnlyMemory<byte> value, long? expectedVersion = null) => new(key, value, expectedVersion);

    public static DocumentWrite Delete(string key, long? expectedVersion = null) => new(key, null, expectedVersion);
}
