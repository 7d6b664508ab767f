using HaAgent.Agent.Restart;
using HaAgent.Agent.State;
using HaAgent.NativeInterop.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Restart;

/// <summary>
/// The start/stop state machine against libvirt's test driver (test:///default, shared inside this process while a
/// connection holds it): what is defined and running is read back through an independent control connection.
/// </summary>
public sealed class VmStartExecutorTestDriverTests : IDisposable
{
    private const string Uri = "test:///default";
    private readonly ITestOutputHelper _output;
    private readonly LibvirtConnection _control;
    private readonly RestartHarness _harness;
    private readonly string _prefix = $"ha-{Guid.NewGuid():N}"[..11];

    public VmStartExecutorTestDriverTests(ITestOutputHelper output)
    {
        _output = output;
        _control = LibvirtConnection.Open(Uri);
        _harness = new RestartHarness(Uri, new VmOrderSettings("ha-", null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
    }

    public void Dispose()
    {
        foreach (var domain in _control.ListAllDomains().Where(d => d.Name.StartsWith(_prefix, StringComparison.Ordinal)))
        {
            using var handle = _control.LookupByUuid(domain.Uuid);
            if (domain.State != DomainState.ShutOff)
            {
                handle.Destroy();
            }
            handle.Undefine();
        }
        _control.Dispose();
        _harness.Dispose();
    }

    [Fact]
    public async Task Execute_NewVm_DefinesStartsAndReportsEveryStep()
    {
        var command = Command("c1", 5, "web");

        var report = await _harness.Starter.ExecuteAsync(command);
        Print(report);

        Assert.True(report.Succeeded, report.Failure?.ToString());
        Assert.Equal(["validate", "token", "self-fence check", "connect", "inspect", "define", "create", "confirm running", "self-fence re-check"],
            report.Steps.Select(s => s.Name));
        Assert.All(report.Steps, s => Assert.True(s.Succeeded, s.ToString()));
        Assert.Equal(DomainState.Running, StateOf(command.VmName));
        Assert.Equal(5, _harness.State.HighestToken);
        Assert.True(_harness.Journal.Find("c1")!.Finished);
    }

    [Fact]
    public async Task Execute_VmAlreadyRunningHere_RefusedAndNothingChanged()
    {
        var command = Command("c1", 5, "web");
        using (var domain = _control.DefineXml(command.DomainXml))
        {
            domain.Create();
        }
        var id = IdOf(command.VmName);

        var report = await _harness.Starter.ExecuteAsync(command);
        Print(report);

        Assert.Equal(VmOrderFailureKind.AlreadyRunning, report.Failure?.Kind);
        Assert.DoesNotContain(report.Steps, s => s.Name is "define" or "create");
        Assert.Equal(id, IdOf(command.VmName));
        Assert.Null(_harness.Journal.Find("c1"));
    }

    [Fact]
    public async Task Execute_StaleToken_RefusedAndNothingChanged()
    {
        Assert.True(_harness.State.TryAdmit(10, out _));
        var command = Command("c1", 9, "web");

        var report = await _harness.Starter.ExecuteAsync(command);

        Assert.Equal(VmOrderFailureKind.StaleToken, report.Failure?.Kind);
        Assert.False(IsDefined(command.VmName));
        Assert.Equal(10, new AgentStateStore(_harness.StateFile).HighestToken);
        Assert.Null(_harness.Journal.Find("c1"));
    }

    [Fact]
    public async Task Execute_SelfFencedAgent_RefusesUntilTheSelfFenceIsCleared()
    {
        var fencedAt = DateTimeOffset.UtcNow;
        _harness.State.AddSelfFence(new SelfFenceRecord(fencedAt, 1, "test: coordinator lost", ["ha-old"], [], []));
        _harness.Reopen(); // the record survives an agent restart

        var refused = await _harness.Starter.ExecuteAsync(Command("c1", 5, "web"));
        Assert.Equal(VmOrderFailureKind.SelfFenced, refused.Failure?.Kind);
        Assert.False(IsDefined(_prefix + "-web"));

        // The protocol clears the record when the coordinator's unfence order has been carried out.
        _harness.State.AcknowledgeSelfFences(fencedAt);
        var started = await _harness.Starter.ExecuteAsync(Command("c2", 5, "web"));
        Assert.True(started.Succeeded, started.Failure?.ToString());
    }

    [Fact]
    public async Task Execute_SelfFenceUnderWay_Refused()
    {
        _harness.SelfFencing = static () => true;

        var report = await _harness.Starter.ExecuteAsync(Command("c1", 5, "web"));

        Assert.Equal(VmOrderFailureKind.SelfFenced, report.Failure?.Kind);
        Assert.False(IsDefined(_prefix + "-web"));
    }

    [Fact]
    public async Task Execute_SelfFenceBeginsDuringStart_VmStoppedAgainAndDefinitionRemoved()
    {
        // The self-fencer listed this host's VMs before this one ran: the start itself must undo what it did.
        var checks = 0;
        _harness.SelfFencing = () => ++checks > 1;
        var command = Command("c1", 5, "web");

        var report = await _harness.Starter.ExecuteAsync(command);
        Print(report);

        Assert.Equal(VmOrderFailureKind.SelfFenced, report.Failure?.Kind);
        Assert.Equal("self-fence re-check", report.Failure!.Step);
        Assert.True(report.CleanedUp);
        Assert.False(IsDefined(command.VmName));
    }

    [Fact]
    public async Task Execute_RepeatedCommandIdEvenAfterAgentRestart_ReturnsEarlierReportWithoutStartingTwice()
    {
        var command = Command("c1", 5, "web");
        var first = await _harness.Starter.ExecuteAsync(command);
        Assert.True(first.Succeeded, first.Failure?.ToString());
        var id = IdOf(command.VmName);

        var again = await _harness.Starter.ExecuteAsync(command);
        Assert.True(again.Repeated);
        Assert.Equal(first with { Repeated = true }, again with { Steps = first.Steps });
        Assert.Equal(first.Steps, again.Steps);
        Assert.Equal(id, IdOf(command.VmName));

        // Stopped meanwhile and the agent restarted: a late copy of the same order still must not start it again.
        using (var domain = _control.LookupByName(command.VmName))
        {
            domain.Destroy();
        }
        _harness.Reopen();
        var afterRestart = await _harness.Starter.ExecuteAsync(command);
        Assert.True(afterRestart.Repeated);
        Assert.True(afterRestart.Succeeded);
        Assert.Equal(DomainState.ShutOff, StateOf(command.VmName));
    }

    [Fact]
    public async Task Execute_AgentDiedDuringStart_RepeatConfirmsTheVmThatCommandStarted()
    {
        var command = Command("c1", 5, "web");
        // What a crash between virDomainCreate and the journal's "finished" leaves behind.
        _harness.Journal.MarkInProgress("c1");
        using (var domain = _control.DefineXml(command.DomainXml))
        {
            domain.Create();
        }
        _harness.Reopen();

        var report = await _harness.Starter.ExecuteAsync(command);
        Print(report);

        Assert.True(report.Succeeded, report.Failure?.ToString());
        Assert.DoesNotContain(report.Steps, s => s.Name is "define" or "create");
        Assert.Contains("resumed", report.Steps.Single(s => s.Name == "confirm running").Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("uuid")]
    [InlineData("extra-disk")]
    [InlineData("missing-volume")]
    [InlineData("unmanaged")]
    [InlineData("garbage")]
    public async Task Execute_XmlDisagreesWithOrder_InvalidOrderAndNothingChanged(string flaw)
    {
        var name = flaw == "unmanaged" ? "web-" + Guid.NewGuid().ToString("N")[..6] : _prefix + "-web";
        var uuid = Guid.NewGuid();
        var xml = flaw switch
        {
            "name" => TestDriverVms.Xml(_prefix + "-other", uuid, "/img/web.qcow2"),
            "uuid" => TestDriverVms.Xml(name, Guid.NewGuid(), "/img/web.qcow2"),
            "extra-disk" => TestDriverVms.Xml(name, uuid, "/img/web.qcow2", "/img/unfenced.qcow2"),
            "garbage" => "<domain><name>",
            _ => TestDriverVms.Xml(name, uuid, "/img/web.qcow2"),
        };
        string[] volumes = flaw == "missing-volume" ? ["/img/web.qcow2", "/img/data.qcow2"] : ["/img/web.qcow2"];

        var report = await _harness.Starter.ExecuteAsync(new StartCommand("c1", 5, name, uuid, xml, volumes));
        _output.WriteLine(report.Failure?.ToString());

        Assert.Equal(VmOrderFailureKind.InvalidOrder, report.Failure?.Kind);
        Assert.False(IsDefined(name));
        Assert.Equal(0, _harness.State.HighestToken);
    }

    [Fact]
    public async Task Execute_UuidTakenByAnotherDomain_ConflictAndNothingChanged()
    {
        var command = Command("c1", 5, "web");
        using (_control.DefineXml(TestDriverVms.Xml(_prefix + "-squatter", command.VmUuid)))
        {
        }

        var report = await _harness.Starter.ExecuteAsync(command);

        Assert.Equal(VmOrderFailureKind.Conflict, report.Failure?.Kind);
        Assert.False(IsDefined(command.VmName));
    }

    [Fact]
    public async Task Stop_RunningVm_DestroyedConfirmedAndRepeatIsNoOp()
    {
        var command = Command("c1", 5, "web");
        Assert.True((await _harness.Starter.ExecuteAsync(command)).Succeeded);

        var stop = await _harness.Stopper.ExecuteAsync(new StopCommand("s1", 5, command.VmName, command.VmUuid));
        Print(stop);

        Assert.True(stop.Succeeded, stop.Failure?.ToString());
        Assert.True(stop.WasRunning);
        Assert.Equal(DomainState.ShutOff, StateOf(command.VmName));
        Assert.Equal([command.VmUuid], _harness.ExpectedStops);
        var again = await _harness.Stopper.ExecuteAsync(new StopCommand("s1", 5, command.VmName, command.VmUuid));
        Assert.True(again.Repeated);
        var other = await _harness.Stopper.ExecuteAsync(new StopCommand("s2", 5, command.VmName, command.VmUuid));
        Assert.True(other.Succeeded);
        Assert.False(other.WasRunning);
    }

    [Fact]
    public async Task Stop_StaleToken_RefusedAndVmKeepsRunning()
    {
        var command = Command("c1", 7, "web");
        Assert.True((await _harness.Starter.ExecuteAsync(command)).Succeeded);

        var stop = await _harness.Stopper.ExecuteAsync(new StopCommand("s1", 6, command.VmName, command.VmUuid));

        Assert.Equal(VmOrderFailureKind.StaleToken, stop.Failure?.Kind);
        Assert.Equal(DomainState.Running, StateOf(command.VmName));
    }

    [Fact]
    public async Task Stop_VmNotDefinedHere_SucceedsAsNoOp()
    {
        var stop = await _harness.Stopper.ExecuteAsync(new StopCommand("s1", 1, _prefix + "-ghost", Guid.NewGuid()));

        Assert.True(stop.Succeeded, stop.Failure?.ToString());
        Assert.False(stop.WasRunning);
    }

    [Fact]
    public void Journal_CorruptFile_Throws()
    {
        File.WriteAllText(RestartServices.JournalPath(_harness.StateFile), "{ not json");

        Assert.Throws<InvalidDataException>(() => new CommandJournal(RestartServices.JournalPath(_harness.StateFile), TimeProvider.System));
    }

    private StartCommand Command(string id, long token, string suffix)
    {
        var name = $"{_prefix}-{suffix}";
        var uuid = Guid.NewGuid();
        var disk = $"/img/{name}.qcow2";
        return new StartCommand(id, token, name, uuid, TestDriverVms.Xml(name, uuid, disk), [disk]);
    }

    private DomainState? StateOf(string name) => _control.ListAllDomains().SingleOrDefault(d => d.Name == name)?.State;

    private int? IdOf(string name) => _control.ListAllDomains().Single(d => d.Name == name).Id;

    private bool IsDefined(string name) => _control.ListAllDomains().Any(d => d.Name == name);

    private void Print(StartReport report)
    {
        _output.WriteLine($"start {report.VmName}: {(report.Succeeded ? "ok" : report.Failure!.ToString())} in {report.Elapsed.TotalMilliseconds:F1} ms");
        foreach (var step in report.Steps)
        {
            _output.WriteLine("  " + step);
        }
    }

    private void Print(StopReport report)
    {
        _output.WriteLine($"stop {report.VmName}: {(report.Succeeded ? "ok" : report.Failure!.ToString())} in {report.Elapsed.TotalMilliseconds:F1} ms");
        foreach (var step in report.Steps)
        {
            _output.WriteLine("  " + step);
        }
    }
}
