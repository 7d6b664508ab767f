namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// Process-wide libvirt setup, done once before the first connection: library init, stderr silenced, and the
/// default event loop running on one dedicated background thread. Connections opened before the event loop is
/// registered never deliver events or keepalives, so every connection goes through here first.
/// </summary>
internal static class LibvirtRuntime
{
    private static readonly Lock Gate = new();
    private static Thread? _eventLoop;

    private static long _eventLoopErrors;

    /// <summary>Iterations of the event loop that returned an error (poll failures); for diagnostics.</summary>
    internal static long EventLoopErrors => Interlocked.Read(ref _eventLoopErrors);

    internal static unsafe void EnsureInitialized()
    {
        if (Volatile.Read(ref _eventLoop) is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (_eventLoop is not null)
            {
                return;
            }

            if (Interop.Libvirt.virInitialize() < 0)
            {
                LibvirtErrors.Throw("virInitialize");
            }

            // libvirt's default handler prints every error (including expected ones such as a missing domain)
            // to stderr; errors still reach callers through virGetLastError.
            Interop.Libvirt.virSetErrorFunc(0, &LibvirtCallbacks.IgnoreError);

            if (Interop.Libvirt.virEventRegisterDefaultImpl() < 0)
            {
                LibvirtErrors.Throw("virEventRegisterDefaultImpl");
            }

            var thread = new Thread(RunEventLoop)
            {
                IsBackground = true,
                Name = "libvirt-event-loop",
            };
            thread.Start();
            Volatile.Write(ref _eventLoop, thread);
        }
    }

    private static void RunEventLoop()
    {
        while (true)
        {
            if (Interop.Libvirt.virEventRunDefaultImpl() < 0)
            {
                LibvirtErrors.Discard();
                Interlocked.Increment(ref _eventLoopErrors);
                // An error here is a poll() failure; do not spin on it.
                Thread.Sleep(10);
            }
        }
    }
}
