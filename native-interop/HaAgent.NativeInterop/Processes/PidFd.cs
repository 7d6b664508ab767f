using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop.Processes;

/// <summary>
/// A handle on one process (pidfd_open): it can be polled for exit and signalled without the PID-reuse race of
/// kill(pid): once the process is gone, a signal through the pidfd fails with ESRCH instead of hitting a newcomer.
/// A pidfd of a process that exited is readable at once, zombie or not — earlier than libvirt, which waits for the
/// PID to be reaped.
/// </summary>
public sealed class PidFd : IDisposable
{
    private readonly SafePidfdHandle _handle;

    private PidFd(SafePidfdHandle handle, int pid)
    {
        _handle = handle;
        Pid = pid;
    }

    public int Pid { get; }

    internal SafePidfdHandle Handle => _handle;

    /// <exception cref="ErrnoException">ESRCH when no such process exists (any more), EPERM, EMFILE...</exception>
    public static PidFd Open(int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        var fd = Interop.Libc.pidfd_open(Interop.Libc.SYS_pidfd_open, pid, 0);
        if (fd < 0)
        {
            throw new ErrnoException("pidfd_open", Marshal.GetLastPInvokeError(), $"pid {pid}");
        }
        return new PidFd(new SafePidfdHandle((int)fd), pid);
    }

    /// <summary>True once the process has exited (the pidfd is readable); does not block.</summary>
    public unsafe bool HasExited
    {
        get
        {
            var added = false;
            try
            {
                _handle.DangerousAddRef(ref added);
                var entry = new Interop.Libc.pollfd { fd = (int)_handle.DangerousGetHandle(), events = Interop.Libc.POLLIN };
                var result = Interop.Libc.poll(&entry, 1, 0);
                if (result < 0)
                {
                    throw new ErrnoException("poll", Marshal.GetLastPInvokeError(), $"pidfd of {Pid}");
                }
                return result > 0 && (entry.revents & Interop.Libc.POLLIN) != 0;
            }
            finally
            {
                if (added)
                {
                    _handle.DangerousRelease();
                }
            }
        }
    }

    /// <summary>Sends <paramref name="signal"/> to exactly this process; false when it has already exited.</summary>
    /// <exception cref="ErrnoException">Anything but ESRCH (e.g. EPERM).</exception>
    public bool SendSignal(int signal)
    {
        var result = Interop.Libc.pidfd_send_signal(Interop.Libc.SYS_pidfd_send_signal, _handle, signal, 0, 0);
        if (result == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno == Errno.ESRCH ? false : throw new ErrnoException("pidfd_send_signal", errno, $"signal {signal} to pid {Pid}");
    }

    /// <summary>SIGKILL; false when the process had already exited.</summary>
    public bool Kill() => SendSignal(Interop.Libc.SIGKILL);

    public void Dispose() => _handle.Dispose();

    public override string ToString() => $"pidfd of {Pid}";
}
