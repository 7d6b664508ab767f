using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// One libvirt connection (virConnectPtr). Thread-safe, like libvirt's. Domains obtained from it keep the native
/// connection alive until they are disposed too, so disposal order cannot crash the process.
/// </summary>
public sealed class LibvirtConnection : IDisposable
{
    /// <summary>Default bound of a lifecycle subscription's queue.</summary>
    public const int DefaultEventCapacity = 1024;

    private readonly SafeVirConnectHandle _handle;
    private readonly TaskCompletionSource<ConnectionCloseReason> _closed =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly LifecycleEventDispatcher _dispatcher = new();
    private int _lifecycleCallbackId = -1;
    private bool _closeCallbackRegistered;
    private bool _disposed;

    private LibvirtConnection(SafeVirConnectHandle handle, string uri)
    {
        _handle = handle;
        Uri = uri;
        // A server-side close ends every event stream; the continuation runs off the libvirt thread.
        _closed.Task.ContinueWith(
            static (_, state) => ((LibvirtConnection)state!).CompleteSubscriptions(),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The URI the connection was opened with.</summary>
    public string Uri { get; }

    /// <summary>
    /// Completes when the connection closes: with the daemon's reason (EOF, keepalive timeout, I/O error) from
    /// libvirt's close callback, or with <see cref="ConnectionCloseReason.Client"/> on Dispose. Drivers that run
    /// in-process (test:///) never close on their own.
    /// </summary>
    public Task<ConnectionCloseReason> Closed => _closed.Task;

    /// <summary>Opens <paramref name="uri"/> (e.g. qemu+unix:///system?socket=..., test:///path/node.xml).</summary>
    /// <exception cref="ArgumentException">The URI is empty: libvirt would guess a hypervisor, which an HA agent must never do.</exception>
    /// <exception cref="LibvirtException">libvirt refused the URI or could not connect.</exception>
    public static LibvirtConnection Open(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        LibvirtRuntime.EnsureInitialized();

        var handle = Interop.Libvirt.virConnectOpen(uri);
        if (handle.IsInvalid)
        {
            var error = LibvirtErrors.FromLastError("virConnectOpen");
            handle.Dispose();
            throw error;
        }

        var connection = new LibvirtConnection(handle, uri);
        try
        {
            connection.RegisterCloseCallback();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    /// <summary>
    /// <see cref="Open"/> with a bound: virConnectOpen blocks for as long as the peer takes (a hung libvirtd, a
    /// black-holed TCP host), and libvirt has no open timeout. On timeout or cancellation the open keeps running on
    /// its pool thread and whatever it yields is disposed when it finishes.
    /// </summary>
    /// <exception cref="TimeoutException">No connection within <paramref name="timeout"/>.</exception>
    public static async Task<LibvirtConnection> OpenAsync(string uri, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        // Open runs entirely on one thread, so libvirt's thread-local error is read where it was set.
        var opening = Task.Run(() => Open(uri), CancellationToken.None);
        try
        {
            return await opening.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _ = opening.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        t.Result.Dispose();
                    }
                    else
                    {
                        // Nobody waits for this failure any more; observe it so it is not reported as unobserved.
                        _ = t.Exception;
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
            if (e is TimeoutException)
            {
                throw new TimeoutException($"virConnectOpen({uri}) did not complete within {timeout}", e);
            }
            throw;
        }
    }

    /// <summary>All domains, running or not, with their state. A domain that disappears while listing is left out.</summary>
    public IReadOnlyList<DomainInfo> ListAllDomains()
    {
        var added = false;
        try
        {
            AddRef(ref added);
            var domains = ListAllDomainHandles();
            var result = new List<DomainInfo>(domains.Length);
            try
            {
                foreach (var handle in domains)
                {
                    using var domain = new LibvirtDomain(handle);
                    if (domain.TryGetInfo(out var info))
                    {
                        result.Add(info);
                    }
                }
            }
            finally
            {
                foreach (var handle in domains)
                {
                    handle.Dispose();
                }
            }
            return result;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Defines (or updates) a persistent domain from XML; it stays shut off until <see cref="LibvirtDomain.Create"/>.</summary>
    /// <exception cref="LibvirtException">
    /// Malformed XML (<see cref="LibvirtErrorCode.XmlDetail"/>, libvirt's message names line and column), an
    /// invalid definition (<see cref="LibvirtErrorCode.XmlError"/>, ...), or a name/UUID conflict.
    /// </exception>
    public LibvirtDomain DefineXml(string xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ThrowIfDisposed();
        return Adopt(Interop.Libvirt.virDomainDefineXML(_handle, xml), "virDomainDefineXML");
    }

    /// <exception cref="LibvirtException"><see cref="LibvirtErrorCode.NoDomain"/> when there is no such domain.</exception>
    public LibvirtDomain LookupByName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThrowIfDisposed();
        return Adopt(Interop.Libvirt.virDomainLookupByName(_handle, name), "virDomainLookupByName");
    }

    /// <exception cref="LibvirtException"><see cref="LibvirtErrorCode.NoDomain"/> when there is no such domain.</exception>
    public LibvirtDomain LookupByUuid(Guid uuid)
    {
        ThrowIfDisposed();
        return Adopt(Interop.Libvirt.virDomainLookupByUUIDString(_handle, uuid.ToString("D")), "virDomainLookupByUUIDString");
    }

    /// <summary>
    /// Asks the daemon for a keepalive every <paramref name="interval"/> (whole seconds); after
    /// <paramref name="count"/> unanswered ones the connection closes and <see cref="Closed"/> completes with
    /// <see cref="ConnectionCloseReason.KeepAlive"/>.
    /// </summary>
    /// <returns>False when the remote daemon does not support keepalive (libvirt returns 1).</returns>
    /// <exception cref="LibvirtException">
    /// <see cref="LibvirtErrorCode.NoSupport"/> for drivers that run in-process (test:///, and other local
    /// drivers): there is no peer whose liveness could be checked.
    /// </exception>
    public bool EnableKeepAlive(TimeSpan interval, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ThrowIfDisposed();
        var result = Interop.Libvirt.virConnectSetKeepAlive(_handle, checked((int)interval.TotalSeconds), (uint)count);
        if (result < 0)
        {
            LibvirtErrors.Throw("virConnectSetKeepAlive");
        }
        return result == 0;
    }

    /// <summary>
    /// Registers for lifecycle events of every domain. Events are queued from the moment this returns; read them
    /// from <see cref="LifecycleEventSubscription.Reader"/> and dispose the subscription when done.
    /// </summary>
    public LifecycleEventSubscription SubscribeLifecycleEvents(int capacity = DefaultEventCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var subscription = new LifecycleEventSubscription(this, capacity);
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_lifecycleCallbackId < 0)
            {
                _lifecycleCallbackId = RegisterLifecycleCallback();
            }
            _dispatcher.Subscriptions = [.. _dispatcher.Subscriptions, subscription];
        }
        return subscription;
    }

    /// <summary>
    /// Lifecycle events as an async stream. The callback is registered when enumeration starts (first
    /// MoveNextAsync) and deregistered when it ends; use <see cref="SubscribeLifecycleEvents"/> to not miss
    /// events that happen before that.
    /// </summary>
    public async IAsyncEnumerable<DomainLifecycleEvent> LifecycleEvents([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var subscription = SubscribeLifecycleEvents();
        await foreach (var lifecycleEvent in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return lifecycleEvent;
        }
    }

    internal void Unsubscribe(LifecycleEventSubscription subscription)
    {
        lock (_gate)
        {
            var remaining = _dispatcher.Subscriptions.Where(s => s != subscription).ToArray();
            _dispatcher.Subscriptions = remaining;
            if (remaining.Length == 0 && !_disposed)
            {
                DeregisterLifecycleCallback();
            }
        }
        subscription.Complete();
    }

    /// <summary>
    /// Deregisters every callback, completes <see cref="Closed"/> and event readers, and drops this side's
    /// reference. The native connection closes once the last <see cref="LibvirtDomain"/> from it is disposed.
    /// </summary>
    public unsafe void Dispose()
    {
        LifecycleEventSubscription[] subscriptions;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            subscriptions = _dispatcher.Subscriptions;
            _dispatcher.Subscriptions = [];
            DeregisterLifecycleCallback();
            if (_closeCallbackRegistered)
            {
                // libvirt runs FreeGCHandle for the close signal when it lets go of it.
                if (Interop.Libvirt.virConnectUnregisterCloseCallback(_handle, &LibvirtCallbacks.OnClose) < 0)
                {
                    LibvirtErrors.Discard();
                }
                _closeCallbackRegistered = false;
            }
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Complete();
        }
        _closed.TrySetResult(ConnectionCloseReason.Client);
        _handle.Dispose();
    }

    private unsafe int RegisterLifecycleCallback()
    {
        var opaque = GCHandle.ToIntPtr(GCHandle.Alloc(_dispatcher));
        delegate* unmanaged<nint, nint, int, int, nint, int> callback = &LibvirtCallbacks.OnLifecycle;
        var id = Interop.Libvirt.virConnectDomainEventRegisterAny(
            _handle, 0, Interop.Libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (nint)callback, opaque, &LibvirtCallbacks.FreeGCHandle);
        if (id < 0)
        {
            var error = LibvirtErrors.FromLastError("virConnectDomainEventRegisterAny");
            // libvirt does not call freecb when registration fails.
            GCHandle.FromIntPtr(opaque).Free();
            throw error;
        }
        return id;
    }

    private void DeregisterLifecycleCallback()
    {
        if (_lifecycleCallbackId >= 0
            && Interop.Libvirt.virConnectDomainEventDeregisterAny(_handle, _lifecycleCallbackId) < 0)
        {
            // The connection may already be broken; the callback can no longer fire either way.
            LibvirtErrors.Discard();
        }
        _lifecycleCallbackId = -1;
    }

    private unsafe void RegisterCloseCallback()
    {
        var opaque = GCHandle.ToIntPtr(GCHandle.Alloc(_closed));
        if (Interop.Libvirt.virConnectRegisterCloseCallback(_handle, &LibvirtCallbacks.OnClose, opaque, &LibvirtCallbacks.FreeGCHandle) < 0)
        {
            var error = LibvirtErrors.FromLastError("virConnectRegisterCloseCallback");
            GCHandle.FromIntPtr(opaque).Free();
            throw error;
        }
        _closeCallbackRegistered = true;
    }

    private void CompleteSubscriptions()
    {
        LifecycleEventSubscription[] subscriptions;
        lock (_gate)
        {
            subscriptions = _dispatcher.Subscriptions;
        }
        foreach (var subscription in subscriptions)
        {
            subscription.Complete();
        }
    }

    private unsafe SafeVirDomainHandle[] ListAllDomainHandles()
    {
        var count = Interop.Libvirt.virConnectListAllDomains(_handle, out var array, 0);
        if (count < 0)
        {
            LibvirtErrors.Throw("virConnectListAllDomains");
        }

        try
        {
            var handles = new SafeVirDomainHandle[count];
            var pointers = new ReadOnlySpan<nint>((void*)array, count);
            // The caller holds a reference on the connection, so SetConnection cannot fail half way and leak the rest.
            for (var i = 0; i < count; i++)
            {
                handles[i] = new SafeVirDomainHandle(pointers[i], _handle);
            }
            return handles;
        }
        finally
        {
            Interop.Libc.free(array);
        }
    }

    private LibvirtDomain Adopt(SafeVirDomainHandle handle, string function)
    {
        if (handle.IsInvalid)
        {
            var error = LibvirtErrors.FromLastError(function);
            handle.Dispose();
            throw error;
        }
        handle.SetConnection(_handle);
        return new LibvirtDomain(handle);
    }

    private void AddRef(ref bool added)
    {
        ThrowIfDisposed();
        try
        {
            _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(LibvirtConnection));
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
}
