using HaAgent.Agent.State;
using HaAgent.Testing;

namespace HaAgent.Agent.Tests.State;

public sealed class AgentStateStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("agent-state");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryAdmit_LowerThanPersisted_RefusedAfterReload()
    {
        var path = _directory.File("state.json");
        var store = new AgentStateStore(path);
        Assert.True(store.TryAdmit(5, out _));
        Assert.True(store.TryAdmit(5, out _));

        var reloaded = new AgentStateStore(path);

        Assert.False(reloaded.TryAdmit(4, out var highest));
        Assert.Equal(5, highest);
        Assert.True(reloaded.TryAdmit(6, out _));
        Assert.Equal(6, new AgentStateStore(path).HighestToken);
    }

    [Fact]
    public void Constructor_CorruptFile_RefusesToGuessAToken()
    {
        var path = _directory.File("state.json");
        File.WriteAllText(path, "{ \"highestToken\": ");

        Assert.Throws<InvalidDataException>(() => new AgentStateStore(path));
    }

    [Fact]
    public void AddSelfFence_Persisted_UntilAcknowledged()
    {
        var path = _directory.File("state.json");
        var at = DateTimeOffset.UtcNow;
        new AgentStateStore(path).AddSelfFence(new SelfFenceRecord(at, 3, "no coordinator", ["vm-1"], [], []));

        var reloaded = new AgentStateStore(path);
        Assert.Equal(["vm-1"], Assert.Single(reloaded.Current.PendingSelfFences).StoppedVms);
        reloaded.AcknowledgeSelfFences(at);
        Assert.Empty(new AgentStateStore(path).Current.PendingSelfFences);
    }
}
