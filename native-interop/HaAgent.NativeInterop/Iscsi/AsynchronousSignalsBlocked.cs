namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// Blocks asynchronous signals on the calling thread for the length of one libiscsi sync call. libiscsi 1.19's sync
/// event loop fails the whole call with "Poll failed" when poll() returns EINTR, and in a .NET process signals such as
/// SIGCHLD (any child process exiting) land on arbitrary threads. Blocked here, the kernel delivers them to another
/// thread. Fault signals stay unblocked so a crash in native code still reaches the runtime.
/// </summary>
internal readonly ref struct AsynchronousSignalsBlocked
{
    private const int SIGILL = 4;
    private const int SIGTRAP = 5;
    private const int SIGABRT = 6;
    private const int SIGBUS = 7;
    private const int SIGFPE = 8;
    private const int SIGSEGV = 11;

    private static readonly Interop.Libc.sigset_t AsynchronousSignals = CreateSet();

    private readonly Interop.Libc.sigset_t _previous;
    private readonly bool _blocked;

    private unsafe AsynchronousSignalsBlocked(bool _)
    {
        var set = AsynchronousSignals;
        Interop.Libc.sigset_t previous = default;
        _blocked = Interop.Libc.pthread_sigmask(Interop.Libc.SIG_BLOCK, &set, &previous) == 0;
        _previous = previous;
    }

    internal static AsynchronousSignalsBlocked Enter() => new(true);

    public unsafe void Dispose()
    {
        if (_blocked)
        {
            var previous = _previous;
            Interop.Libc.pthread_sigmask(Interop.Libc.SIG_SETMASK, &previous, null);
        }
    }

    private static unsafe Interop.Libc.sigset_t CreateSet()
    {
        Interop.Libc.sigset_t set = default;
        Interop.Libc.sigfillset(&set);
        foreach (var fault in (ReadOnlySpan<int>)[SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV])
        {
            Interop.Libc.sigdelset(&set, fault);
        }
        return set;
    }
}
