using System.Diagnostics;
using HaAgent.Agent.Configuration;
using HaAgent.NativeInterop.Memory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Memory;

/// <summary>
/// Once start-up has settled (<see cref="MemoryAgentOptions.SettleTime"/>), gives back what only start-up needed and
/// logs one line with where the agent's memory is: the managed heap (committed, live) and the process's resident
/// pages (anonymous vs file-backed, PSS, private) — the "managed heap vs native libraries" breakdown.
/// </summary>
internal sealed partial class StartupMemoryTrim : BackgroundService
{
    private readonly MemoryAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _binary;

    /// <param name="binary">The agent's own executable (default: this process's): the file whose pages the trim drops.</param>
    public StartupMemoryTrim(MemoryAgentOptions options, TimeProvider time, ILogger<StartupMemoryTrim> logger, string? binary = null)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _binary = binary ?? Environment.ProcessPath;
    }

    /// <summary>What the last trim did (null before it ran); for tests and diagnostics.</summary>
    public MemoryTrimResult? Last { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(_options.SettleTime, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // Off the thread pool's hot path: the page walk and the compacting GC take milliseconds, once.
        await Task.Run(Run, stoppingToken).ConfigureAwait(false);
    }

    internal MemoryTrimResult Run()
    {
        var before = ProcessMemory.ReadResident();
        var elapsed = Stopwatch.StartNew();
        var pagedOut = 0;
        if (_options.TrimAfterStartup)
        {
            pagedOut = Trim(_binary);
        }
        elapsed.Stop();
        var gc = GC.GetGCMemoryInfo();
        var result = new MemoryTrimResult(before, ProcessMemory.ReadResident(), gc.TotalCommittedBytes, GC.GetTotalMemory(false),
            pagedOut, elapsed.Elapsed);
        Last = result;
        var after = result.After;
        LogMemory(result.GcCommitted / 1024, result.GcLive / 1024, after.Rss / 1024, after.Anonymous / 1024, after.File / 1024,
            after.Pss / 1024, after.Private / 1024,
            _options.TrimAfterStartup ? "on" : "off", before.Rss / 1024, before.Anonymous / 1024, before.File / 1024,
            pagedOut, (long)elapsed.Elapsed.TotalMilliseconds);
        return result;
    }

    /// <returns>How many mappings of the binary were paged out.</returns>
    private static int Trim(string? binary)
    {
        // Compacts and decommits the free regions start-up grew (connecting, listing, first reports): −3.8 MiB measured
        // after 5 idle minutes (GC committed 8.3 → 4.3–4.5 MiB); gen0 then stays within its 1 MiB budget.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // malloc_trim(0) was tried here: glibc's resident heap was 1.7-3.0 MiB with or without it (5 runs), so it is not done.
        if (binary is null)
        {
            return 0;
        }
        var pagedOut = 0;
        foreach (var mapping in ProcessMemory.ReadMappings())
        {
            if (!mapping.IsFileBacked || mapping.Rss == 0 || !string.Equals(mapping.Path, binary, StringComparison.Ordinal))
            {
                continue;
            }
            // Without the advice each fault reads 128 KiB around it and maps 64 KiB: most of the binary came back.
            ProcessMemory.AdviseRandomAccess(mapping);
            if (ProcessMemory.PageOut(mapping))
            {
                pagedOut++;
            }
        }
        // Pages read ahead at exec but never mapped are still cached; a fault would map them too (fault-around).
        ProcessMemory.DropCachedPages(binary);
        return pagedOut;
    }

    [LoggerMessage(EventId = AgentEventIds.MemoryAfterStartup, Level = LogLevel.Information,
        Message = "memory after start-up: gcCommittedKiB={GcCommittedKiB} gcLiveKiB={GcLiveKiB} rssKiB={RssKiB} anonKiB={AnonKiB} fileKiB={FileKiB} pssKiB={PssKiB} privateKiB={PrivateKiB}; trim {Trim} (before: rssKiB={RssBeforeKiB} anonKiB={AnonBeforeKiB} fileKiB={FileBeforeKiB}; {Mappings} mappings of the binary paged out in {Milliseconds} ms)")]
    private partial void LogMemory(long gcCommittedKiB, long gcLiveKiB, long rssKiB, long anonKiB, long fileKiB, long pssKiB, long privateKiB,
        string trim, long rssBeforeKiB, long anonBeforeKiB, long fileBeforeKiB, int mappings, long milliseconds);
}
