using System.Diagnostics;
using HaAgent.Agent.DBus;
using HaAgent.Testing.DBus;

namespace HaAgent.Agent.Tests.DBus;

/// <summary>
/// The setup the watcher tests share: optionally a stand-in systemd on the bus (prepared by the test's callback), a
/// started <see cref="SystemdUnitWatcher"/> on libvirtd.service with short retries, and its first published state.
/// Disposes the watcher, then the stand-in.
/// </summary>
internal sealed class UnitWatch : IAsyncDisposable
{
    public const string Unit = "libvirtd.service";

    /// <summary>Bound for the first state after Start, and for a reconnect.</summary>
    public static readonly TimeSpan StartBound = TimeSpan.FromSeconds(5);

    private UnitWatch(FakeSystemBusServices? systemd, SystemdUnitWatcher watcher, ListLogger<SystemdUnitWatcher> logger)
    {
        Systemd = systemd;
        Watcher = watcher;
        Logger = logger;
    }

    /// <summary>The stand-in systemd; null when the test started without one.</summary>
    public FakeSystemBusServices? Systemd { get; }

    public SystemdUnitWatcher Watcher { get; }

    public ListLogger<SystemdUnitWatcher> Logger { get; }

    /// <summary>The first state the watcher published after <see cref="SystemdUnitWatcher.Start"/>.</summary>
    public SystemdUnitState First { get; private set; } = null!;

    /// <summary>From Start to <see cref="First"/>.</summary>
    public TimeSpan FirstAfter { get; private set; }

    /// <summary>
    /// <paramref name="systemd"/> null: no stand-in systemd on the bus; else one is started and handed to the callback
    /// (set unit states) before the watcher starts.
    /// </summary>
    public static async Task<UnitWatch> StartAsync(string address, Action<FakeSystemBusServices>? systemd, TimeSpan? firstBound = null)
    {
        var services = systemd is null ? null : await FakeSystemBusServices.StartAsync(address, machined: false);
        var watch = new UnitWatch(services, NewWatcher(address, out var logger), logger);
        try
        {
            systemd?.Invoke(services!);
            var started = Stopwatch.GetTimestamp();
            watch.Watcher.Start();
            watch.First = await NextAsync(watch.Watcher, firstBound ?? StartBound);
            watch.FirstAfter = Stopwatch.GetElapsedTime(started);
            return watch;
        }
        catch
        {
            await watch.DisposeAsync();
            throw;
        }
    }

    public static SystemdUnitWatcher NewWatcher(string address, out ListLogger<SystemdUnitWatcher> logger, TimeSpan? callTimeout = null)
    {
        logger = new ListLogger<SystemdUnitWatcher>();
        return new SystemdUnitWatcher(
            new SystemdUnitWatcherOptions
            {
                BusAddress = address,
                Unit = Unit,
                CallTimeout = callTimeout ?? TimeSpan.FromSeconds(2),
                RetryInitialDelay = TimeSpan.FromMilliseconds(50),
                RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            },
            TimeProvider.System,
            logger);
    }

    public Task<SystemdUnitState> NextAsync(TimeSpan bound) => NextAsync(Watcher, bound);

    public static async Task<SystemdUnitState> NextAsync(SystemdUnitWatcher watcher, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            return await watcher.Changes.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no unit state change within {bound.TotalMilliseconds} ms; current {watcher.Current}");
        }
    }

    /// <summary>The next state that <paramref name="skip"/> does not match, all within <paramref name="bound"/>.</summary>
    public async Task<SystemdUnitState> NextNotMatchingAsync(Func<SystemdUnitState, bool> skip, TimeSpan bound)
    {
        var until = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var remaining = TimeSpan.FromSeconds((until - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            var state = await NextAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            if (!skip(state))
            {
                return state;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Watcher.DisposeAsync();
        Systemd?.Dispose();
    }
}
