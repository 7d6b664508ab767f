using HaAgent.Agent.Restart;
using HaAgent.Agent.State;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Agent.Tests.Restart;

/// <summary>
/// The start and stop executors as the agent wires them — state file, command journal, per-VM locks, a fresh libvirt
/// connection per order — over one temp dir. <see cref="Reopen"/> builds them again from the same files, as after an
/// agent restart.
/// </summary>
internal sealed class RestartHarness : IDisposable
{
    private readonly TempDirectory _directory = new("agent-restart");
    private readonly string _uri;
    private readonly TimeSpan _openTimeout;

    public RestartHarness(string uri, VmOrderSettings settings, TimeSpan? openTimeout = null)
    {
        _uri = uri;
        _openTimeout = openTimeout ?? TimeSpan.FromSeconds(15);
        Settings = settings;
        Reopen();
    }

    public VmOrderSettings Settings { get; }

    public string StateFile => _directory.File("state.json");

    public AgentStateStore State { get; private set; } = null!;

    public CommandJournal Journal { get; private set; } = null!;

    public VmStartExecutor Starter { get; private set; } = null!;

    public VmStopExecutor Stopper { get; private set; } = null!;

    /// <summary>What the executors consult for "a self-fence is under way" (read on every check).</summary>
    public Func<bool> SelfFencing { get; set; } = static () => false;

    public List<Guid> ExpectedStops { get; } = [];

    /// <summary>Runs after each order's connection is open (a test freezes libvirtd here).</summary>
    public Func<Task> AfterConnect { get; set; } = static () => Task.CompletedTask;

    public void Reopen()
    {
        State = new AgentStateStore(StateFile);
        Journal = new CommandJournal(RestartServices.JournalPath(StateFile), TimeProvider.System);
        var locks = new VmOrderLocks();
        async Task<LibvirtConnection> Connect(CancellationToken cancellationToken)
        {
            var connection = await LibvirtConnection.OpenAsync(_uri, _openTimeout, cancellationToken);
            await AfterConnect();
            return connection;
        }
        var pipeline = new VmOrderPipeline(State, Journal, locks, Connect, Settings, TimeProvider.System);
        Starter = new VmStartExecutor(pipeline, () => SelfFencing(), NullLogger<VmStartExecutor>.Instance);
        Stopper = new VmStopExecutor(pipeline, ExpectedStops.Add, NullLogger<VmStopExecutor>.Instance);
    }

    public void Dispose() => _directory.Dispose();
}
