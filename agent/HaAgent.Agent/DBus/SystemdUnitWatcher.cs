using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace HaAgent.Agent.DBus;

/// <summary>
/// Follows one systemd unit (libvirtd.service) over D-Bus: Manager.GetUnit (LoadUnit if not loaded), Subscribe,
/// Properties.GetAll for the initial ActiveState/SubState, then PropertiesChanged on the unit's object path.
/// Publishes every real change on <see cref="Changes"/>. Whatever goes wrong (no bus socket, bus refuses, systemd not
/// on the bus, unknown unit, bus dies mid-watch) becomes a typed <see cref="UnitActiveState.Unavailable"/> state with
/// the reason logged once; nothing escapes; it retries with exponential backoff and recovers on its own.
/// </summary>
internal sealed partial class SystemdUnitWatcher : IAsyncDisposable
{
    private readonly SystemdUnitWatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<SystemdUnitState> _changes =
        Channel.CreateUnbounded<SystemdUnitState>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _publishLock = new();
    private SystemdUnitState _current;
    private Task? _loop;
    private int _disposed;

    public SystemdUnitWatcher(SystemdUnitWatcherOptions options, TimeProvider time, ILogger<SystemdUnitWatcher> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _current = SystemdUnitState.Unavailable(options.Unit, "not observed yet", time.GetUtcNow());
    }

    /// <summary>The latest observation (Unavailable "not observed yet" before the first one).</summary>
    public SystemdUnitState Current => Volatile.Read(ref _current);

    /// <summary>Every real change, in order (active → deactivating → inactive/failed → activating → active, unavailable).</summary>
    public ChannelReader<SystemdUnitState> Changes => _changes.Reader;

    public IAsyncEnumerable<SystemdUnitState> ReadChangesAsync(CancellationToken cancellationToken) =>
        _changes.Reader.ReadAllAsync(cancellationToken);

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _changes.Writer.TryComplete();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = _options.RetryInitialDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await WatchOnceAsync(cancellationToken).ConfigureAwait(false))
                {
                    delay = _options.RetryInitialDelay; // it worked for a while: come back quickly
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a watcher must outlive any failure of the bus: every failure is a state, not a crash
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Publish(SystemdUnitState.Unavailable(_options.Unit, Describe(exception), _time.GetUtcNow()));
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.RetryMaxDelay.Ticks));
        }
    }

    /// <summary>One connection's life; returns true if the unit was observed before the connection ended.</summary>
    private async Task<bool> WatchOnceAsync(CancellationToken cancellationToken)
    {
        var timeout = _options.CallTimeout;
        using var connection = await DBusCalls.ConnectAsync(_options.BusAddress, timeout, _time, cancellationToken).ConfigureAwait(false);
        var disconnected = connection.DisconnectedAsync();
        var unitPath = await GetUnitPathAsync(connection, cancellationToken).ConfigureAwait(false);

        var updates = Channel.CreateUnbounded<UnitPropertiesUpdate>(new UnboundedChannelOptions { SingleReader = true });
        // The match goes in before the initial read, so a change between the two cannot be lost.
        using var match = await connection.WatchSignalAsync(
            DBusNames.SystemdService, unitPath, DBusNames.PropertiesInterface, DBusNames.PropertiesChanged,
            static (message, _) => ReadPropertiesChanged(message),
            notification => updates.Writer.TryWrite(notification.HasValue
                ? notification.Value
                : new UnitPropertiesUpdate(null, null, false, DescribeEnd(notification))),
            ObserverFlags.EmitOnOwnerChanged | ObserverFlags.EmitOnConnectionClosed | ObserverFlags.EmitOnConnectionFailed,
            emitOnCapturedContext: false).AsTask().WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);

        try
        {
            // Without a subscriber systemd does not emit unit signals.
            await DBusCalls.CallAsync(connection, DBusNames.SystemdService, DBusNames.SystemdPath, DBusNames.SystemdManagerInterface,
                "Subscribe", timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException exception) when (!DBusCalls.IsServiceAbsent(exception))
        {
            // Already subscribed on this connection, or refused by policy: the initial read still tells the truth.
        }

        var state = await ReadUnitAsync(connection, unitPath, cancellationToken).ConfigureAwait(false);
        Publish(state);

        while (true)
        {
            var next = updates.Reader.WaitToReadAsync(cancellationToken).AsTask();
            var finished = await Task.WhenAny(next, disconnected).ConfigureAwait(false);
            if (finished == disconnected)
            {
                var error = await disconnected.ConfigureAwait(false);
                Publish(SystemdUnitState.Unavailable(_options.Unit, error is null ? "bus connection closed" : $"bus connection lost: {error.Message}", _time.GetUtcNow()));
                return true;
            }
            await next.ConfigureAwait(false); // throws on cancellation

            var reread = false;
            while (updates.Reader.TryRead(out var update))
            {
                if (update.Ended is not null)
                {
                    Publish(SystemdUnitState.Unavailable(_options.Unit, update.Ended, _time.GetUtcNow()));
                    return true;
                }
                reread |= update.Invalidated;
                if (update.ActiveState is not null || update.SubState is not null)
                {
                    state = SystemdUnitState.FromSystemd(
                        _options.Unit, update.ActiveState ?? state.RawActiveState, update.SubState ?? state.SubState, _time.GetUtcNow());
                }
            }
            if (reread)
            {
                state = await ReadUnitAsync(connection, unitPath, cancellationToken).ConfigureAwait(false);
            }
            Publish(state);
        }
    }

    private async Task<string> GetUnitPathAsync(DBusConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await DBusCalls.CallReturningObjectPathAsync(connection, DBusNames.SystemdService, DBusNames.SystemdPath,
                DBusNames.SystemdManagerInterface, "GetUnit", _options.Unit, _options.CallTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException exception) when (exception.ErrorName == DBusNames.SystemdNoSuchUnitError)
        {
            // Not loaded right now (e.g. socket-activated and idle): loading it is how systemctl asks, too.
            return await DBusCalls.CallReturningObjectPathAsync(connection, DBusNames.SystemdService, DBusNames.SystemdPath,
                DBusNames.SystemdManagerInterface, "LoadUnit", _options.Unit, _options.CallTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SystemdUnitState> ReadUnitAsync(DBusConnection connection, string unitPath, CancellationToken cancellationToken)
    {
        var properties = await DBusCalls.GetAllPropertiesAsync(connection, DBusNames.SystemdService, unitPath,
            DBusNames.SystemdUnitInterface, _options.CallTimeout, _time, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (DBusCalls.GetString(properties, "LoadState") == "not-found")
        {
            return SystemdUnitState.Unavailable(_options.Unit, $"systemd has no unit {_options.Unit}", now);
        }
        var active = DBusCalls.GetString(properties, DBusNames.ActiveStateProperty);
        var sub = DBusCalls.GetString(properties, DBusNames.SubStateProperty);
        return active is null
            ? SystemdUnitState.Unavailable(_options.Unit, $"{unitPath} has no ActiveState", now)
            : SystemdUnitState.FromSystemd(_options.Unit, active, sub ?? "", now);
    }

    private static UnitPropertiesUpdate ReadPropertiesChanged(Message message)
    {
        var reader = message.GetBodyReader();
        var @interface = reader.ReadString();
        if (@interface != DBusNames.SystemdUnitInterface)
        {
            return default;
        }
        var changed = reader.ReadDictionaryOfStringToVariantValue();
        var invalidated = reader.ReadArrayOfString();
        return new UnitPropertiesUpdate(
            DBusCalls.GetString(changed, DBusNames.ActiveStateProperty),
            DBusCalls.GetString(changed, DBusNames.SubStateProperty),
            invalidated.Contains(DBusNames.ActiveStateProperty) || invalidated.Contains(DBusNames.SubStateProperty),
            Ended: null);
    }

    private string Describe(Exception exception) => exception switch
    {
        DBusErrorReplyException e when e.ErrorName == DBusNames.SystemdNoSuchUnitError => $"systemd has no unit {_options.Unit}",
        DBusOwnerChangedException => $"{DBusNames.SystemdService} left the bus",
        _ => DBusCalls.Describe(exception, _options.BusAddress, DBusNames.SystemdService, _options.CallTimeout),
    };

    private string DescribeEnd(Notification<UnitPropertiesUpdate> notification) => notification.Type switch
    {
        NotificationType.OwnerChanged => $"{DBusNames.SystemdService} left the bus",
        NotificationType.ConnectionClosed or NotificationType.ConnectionFailed => "bus connection closed",
        _ => $"signal subscription ended ({notification.Type})",
    };

    private void Publish(SystemdUnitState state)
    {
        SystemdUnitState previous;
        lock (_publishLock)
        {
            previous = _current;
            if (previous.SameStateAs(state))
            {
                return;
            }
            Volatile.Write(ref _current, state);
            _changes.Writer.TryWrite(state);
        }
        if (state.IsAvailable)
        {
            LogStatusChange(_options.Unit, previous, state);
        }
        else
        {
            // Publish only runs on a change, so one reason is logged once however many retries repeat it.
            LogUnavailable(_options.Unit, state.UnavailableReason!);
        }
    }

    [LoggerMessage(EventId = AgentEventIds.UnitStateChanged, Level = LogLevel.Information, Message = "unit {Unit}: status change {Previous} => {Current}")]
    private partial void LogStatusChange(string unit, SystemdUnitState previous, SystemdUnitState current);

    [LoggerMessage(EventId = AgentEventIds.UnitWatchUnavailable, Level = LogLevel.Warning, Message = "unit {Unit}: systemd state unavailable: {Reason}; retrying with backoff")]
    private partial void LogUnavailable(string unit, string reason);
}
