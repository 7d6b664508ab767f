using HaAgent.Agent.Configuration;
using HaAgent.Agent.Memory;
using HaAgent.Agent.Tests.DBus;
using HaAgent.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Agent.Tests.Memory;

[Collection(MemoryTrimCollection.Name)]
public sealed class StartupMemoryTrimTests : IDisposable
{
    private readonly TempDirectory _directory = new("memory-trim");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Run_TrimOn_TheBinarysPagesLeaveAndOneMemoryLineIsLogged()
    {
        // A file standing in for the agent's binary, mapped and read: the trim must drop its pages (the test host's
        // real executable is dotnet, shared with every other .NET process).
        var path = _directory.File("touched.bin");
        File.WriteAllBytes(path, new byte[2 << 20]);
        using (var flush = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            flush.Flush(flushToDisk: true);
        }
        using var file = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, 2 << 20, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
        var sum = 0;
        for (var offset = 0; offset < 2 << 20; offset += Environment.SystemPageSize)
        {
            sum += view.ReadByte(offset);
        }
        var logger = new ListLogger<StartupMemoryTrim>();
        var trim = new StartupMemoryTrim(new MemoryAgentOptions(), TimeProvider.System, logger, binary: path);

        var before = Resident(path);

        var result = trim.Run();

        // The process's totals move with whatever other tests do meanwhile: judge the stand-in's own mapping.
        var after = Resident(path);
        Assert.True(before >= (2 << 20) * 9L / 10 && after <= (2 << 20) / 10, $"the binary's pages {before >> 10} KiB -> {after >> 10} KiB");
        Assert.Equal(1, result.MappingsPagedOut);
        Assert.Equal(0, sum);
        Assert.Equal(0, view.ReadByte((1 << 20) + 5));
        Assert.True(result.GcCommitted > 0 && result.GcLive > 0);
        var (level, eventId, line) = Assert.Single(logger.Entries);
        Assert.Equal((LogLevel.Information, AgentEventIds.MemoryAfterStartup), (level, eventId));
        Assert.StartsWith("memory after start-up: gcCommittedKiB=", line, StringComparison.Ordinal);
        Assert.Contains("trim on", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_TrimOff_LogsTheLineAndLeavesPagesAlone()
    {
        var logger = new ListLogger<StartupMemoryTrim>();
        var trim = new StartupMemoryTrim(new MemoryAgentOptions { TrimAfterStartup = false }, TimeProvider.System, logger, binary: "/nonexistent");

        var result = trim.Run();

        Assert.Equal(0, result.MappingsPagedOut);
        Assert.Contains("trim off", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_RunsOnceAfterTheSettleTime()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger<StartupMemoryTrim>();
        using var trim = new StartupMemoryTrim(new MemoryAgentOptions { SettleTime = TimeSpan.FromMinutes(1), TrimAfterStartup = false }, time, logger);
        await trim.StartAsync(CancellationToken.None);

        // ExecuteAsync starts on the thread pool: step the clock until the line comes, never less than the settle time.
        var advanced = TimeSpan.Zero;
        while (trim.ExecuteTask is not { IsCompleted: true } && advanced < TimeSpan.FromMinutes(5))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
            await Task.Delay(10);
            if (advanced < TimeSpan.FromMinutes(1))
            {
                Assert.Empty(logger.Entries);
            }
        }
        await trim.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(logger.Entries);
        Assert.NotNull(trim.Last);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("02:00:00")]
    public async Task Run_SettleTimeOutOfRange_ExitsWithConfigurationErrorNamingTheKey(string settleTime)
    {
        var path = WriteConfig($$"""{ "trimAfterStartup": true, "settleTime": "{{settleTime}}" }""");
        var error = new StringWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var exit = await AgentProgram.RunAsync(["--config", path], error, stop.Token);

        Assert.Equal(AgentProgram.ConfigurationError, exit);
        Assert.Contains("Memory:SettleTime", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_MemoryKeys_ReadFromAgentJson()
    {
        var path = WriteConfig("""{ "trimAfterStartup": false, "settleTime": "00:02:00" }""");
        using var host = AgentHost.CreateBuilder(["--config", path]).Build();
        var options = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<AgentOptions>>(host.Services).Value;

        Assert.False(options.Memory.TrimAfterStartup);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Memory.SettleTime);
        Assert.True(new MemoryAgentOptions().TrimAfterStartup);
    }

    private static long Resident(string path) =>
        HaAgent.NativeInterop.Memory.ProcessMemory.ReadMappings().Where(m => m.Path == path).Sum(m => m.Rss);

    private string WriteConfig(string memory)
    {
        var secret = _directory.File("agent.key");
        File.WriteAllText(secret, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var path = _directory.File($"agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "hostId": "hv-01",
              "coordinatorEndpoints": [ "http://127.0.0.1:9" ],
              "stateFile": "{{_directory.File("state.json")}}",
              "coordinator": { "secretFile": "{{secret}}" },
              "libvirt": { "uri": "test:///default" },
              "memory": {{memory}}
            }
            """);
        return path;
    }
}
