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

    public StartupMemoryTrim(MemoryAgentOptions options, TimeProvider time, ILogger<StartupMemoryTrim> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
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
            pagedOut = Trim(_options);
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

    /// <returns>How many file mappings were paged out.</returns>
    private static int Trim(MemoryAgentOptions options)
    {
        if (options.CompactManagedHeap)
        {
            // Compacts and decommits the free regions start-up grew (the allocations of connecting, listing, first reports).
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        if (options.TrimMalloc)
        {
            ProcessMemory.TrimMallocHeaps();
        }
        var binary = Environment.ProcessPath;
        var pagedOut = 0;
        foreach (var mapping in ProcessMemory.ReadMappings())
        {
            // Shared writable file mappings would be written back: none of ours, and not worth a write.
            if (!mapping.IsFileBacked || mapping.Rss == 0 || (mapping.IsWritable && !mapping.IsPrivate))
            {
                continue;
            }
            var isBinary = string.Equals(mapping.Path, binary, StringComparison.Ordinal);
            if ((isBinary ? options.PageOutBinary : options.PageOutLibraries) && ProcessMemory.PageOut(mapping))
            {
                pagedOut++;
            }
        }
        return pagedOut;
    }

    [LoggerMessage(EventId = AgentEventIds.MemoryAfterStartup, Level = LogLevel.Information,
        Message = "memory after start-up: gcCommittedKiB={GcCommittedKiB} gcLiveKiB={GcLiveKiB} rssKiB={RssKiB} anonKiB={AnonKiB} fileKiB={FileKiB} pssKiB={PssKiB} privateKiB={PrivateKiB}; trim {Trim} (before: rssKiB={RssBeforeKiB} anonKiB={AnonBeforeKiB} fileKiB={FileBeforeKiB}; {Mappings} file mappings paged out in {Milliseconds} ms)")]
    private partial void LogMemory(long gcCommittedKiB, long gcLiveKiB, long rssKiB, long anonKiB, long fileKiB, long pssKiB, long privateKiB,
        string trim, long rssBeforeKiB, long anonBeforeKiB, long fileBeforeKiB, int mappings, long milliseconds);
}
