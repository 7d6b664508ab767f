using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace HaAgent.NativeInterop.Processes;

/// <summary>
/// Watches many pidfds from one thread blocked in poll() (no timeout, no wake-ups while nothing happens) and posts each
/// exit to <see cref="Exits"/>. An eventfd wakes the thread when the watched set changes. The poll thread only
/// enqueues; consumers do the work.
/// </summary>
public sealed class ProcessExitMonitor : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SafeEventFdHandle _wake;
    private readonly Channel<ProcessExited> _exits = Channel.CreateUnbounded<ProcessExited>(
        new UnboundedChannelOptions { SingleWriter = true, AllowSynchronousContinuations = false });
    private readonly Thread _thread;
    private PidFd[] _watched = [];
    private volatile bool _disposed;

    public ProcessExitMonitor()
    {
        var fd = Interop.Libc.eventfd(0, Interop.Libc.EFD_CLOEXEC | Interop.Libc.EFD_NONBLOCK);
        if (fd < 0)
        {
            throw new ErrnoException("eventfd", Marshal.GetLastPInvokeError());
        }
        _wake = new SafeEventFdHandle(fd);
        _thread = new Thread(Run) { IsBackground = true, Name = "pidfd-monitor" };
        _thread.Start();
    }

    public ChannelReader<ProcessExited> Exits => _exits.Reader;

    public int Count => Volatile.Read(ref _watched).Length;

    /// <summary>Watches <paramref name="process"/> until it exits (then it is posted once and dropped) or is unwatched.</summary>
    public void Watch(PidFd process)
    {
        ArgumentNullException.ThrowIfNull(process);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            if (Array.IndexOf(_watched, process) < 0)
            {
                _watched = [.. _watched, process];
            }
        }
        Wake();
    }

    public void Unwatch(PidFd process)
    {
        lock (_gate)
        {
            _watched = [.. _watched.Where(p => p != process)];
        }
        Wake();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Wake();
        _thread.Join(TimeSpan.FromSeconds(5));
        _exits.Writer.TryComplete();
        _wake.Dispose();
    }

    private unsafe void Wake()
    {
        ulong one = 1;
        var added = false;
        try
        {
            _wake.DangerousAddRef(ref added);
            // EAGAIN means the counter is already non-zero: the thread is being woken anyway.
            _ = Interop.Libc.write(_wake, &one, sizeof(ulong));
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added)
            {
                _wake.DangerousRelease();
            }
        }
    }

    private unsafe void Run()
    {
        var wakeAdded = false;
        _wake.DangerousAddRef(ref wakeAdded);
        try
        {
            var wakeFd = (int)_wake.DangerousGetHandle();
            while (!_disposed)
            {
                var watched = Volatile.Read(ref _watched);
                var entries = new Interop.Libc.pollfd[watched.Length + 1];
                var held = new bool[watched.Length];
                entries[0] = new Interop.Libc.pollfd { fd = wakeFd, events = Interop.Libc.POLLIN };
                try
                {
                    for (var i = 0; i < watched.Length; i++)
                    {
                        try
                        {
                            watched[i].Handle.DangerousAddRef(ref held[i]);
                            entries[i + 1] = new Interop.Libc.pollfd { fd = (int)watched[i].Handle.DangerousGetHandle(), events = Interop.Libc.POLLIN };
                        }
                        catch (ObjectDisposedException)
                        {
                            // Disposed while watched: poll ignores negative descriptors; drop it below.
                            entries[i + 1] = new Interop.Libc.pollfd { fd = -1 };
                            Unwatch(watched[i]);
                        }
                    }

                    int ready;
                    fixed (Interop.Libc.pollfd* pointer = entries)
                    {
                        ready = Interop.Libc.poll(pointer, (nuint)entries.Length, -1);
                    }
                    var now = Stopwatch.GetTimestamp();
                    if (ready < 0)
                    {
                        if (Marshal.GetLastPInvokeError() != Errno.EINTR)
                        {
                            Thread.Sleep(10); // never spin on a persistent poll failure
                        }
                        continue;
                    }
                    if (entries[0].revents != 0)
                    {
                        ulong drained;
                        _ = Interop.Libc.read(_wake, &drained, sizeof(ulong));
                    }
                    for (var i = 0; i < watched.Length; i++)
                    {
                        if (held[i] && entries[i + 1].revents != 0)
                        {
                            lock (_gate)
                            {
                                if (Array.IndexOf(_watched, watched[i]) < 0)
                                {
                                    continue; // unwatched meanwhile
                                }
                                _watched = [.. _watched.Where(p => p != watched[i])];
                            }
                            _exits.Writer.TryWrite(new ProcessExited(watched[i].Pid, watched[i], now));
                        }
                    }
                }
                finally
                {
                    for (var i = 0; i < watched.Length; i++)
                    {
                        if (held[i])
                        {
                            watched[i].Handle.DangerousRelease();
                        }
                    }
                }
            }
        }
        finally
        {
            if (wakeAdded)
            {
                _wake.DangerousRelease();
            }
        }
    }
}
