using System.Buffers.Text;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// Entry points libvirt calls on its event-loop thread. They copy what they need out of borrowed pointers and
/// enqueue; nothing here blocks, calls back into libvirt over the wire, or lets an exception escape (that would
/// take the process down).
/// </summary>
internal static unsafe class LibvirtCallbacks
{
    [UnmanagedCallersOnly]
    internal static void IgnoreError(nint userData, nint error)
    {
    }

    /// <summary>virConnectDomainEventCallback; <paramref name="opaque"/> is a GCHandle to the connection's <see cref="LifecycleEventDispatcher"/>.</summary>
    [UnmanagedCallersOnly]
    internal static int OnLifecycle(nint conn, nint dom, int eventType, int detail, nint opaque)
    {
        try
        {
            if (GCHandle.FromIntPtr(opaque).Target is LifecycleEventDispatcher dispatcher)
            {
                var name = Marshal.PtrToStringUTF8(Interop.Libvirt.virDomainGetName(dom)) ?? string.Empty;
                var uuid = Guid.Empty;
                var buffer = stackalloc byte[Interop.Libvirt.VIR_UUID_STRING_BUFLEN];
                if (Interop.Libvirt.virDomainGetUUIDString(dom, buffer) == 0)
                {
                    Utf8Parser.TryParse(new ReadOnlySpan<byte>(buffer, 36), out uuid, out _, 'D');
                }

                dispatcher.Post(new DomainLifecycleEvent(name, uuid, (DomainEventType)eventType, detail));
            }
        }
        catch (Exception)
        {
            // Nothing can be reported from this thread; losing one event is better than losing the process.
        }

        return 0;
    }

    /// <summary>virConnectCloseFunc; <paramref name="opaque"/> is a GCHandle to the connection's close signal.</summary>
    [UnmanagedCallersOnly]
    internal static void OnClose(nint conn, int reason, nint opaque)
    {
        try
        {
            if (GCHandle.FromIntPtr(opaque).Target is TaskCompletionSource<ConnectionCloseReason> closed)
            {
                // Continuations run asynchronously (see LibvirtConnection), so this only enqueues.
                closed.TrySetResult((ConnectionCloseReason)reason);
            }
        }
        catch (Exception)
        {
        }
    }

    /// <summary>virFreeCallback: libvirt is done with an opaque GCHandle.</summary>
    [UnmanagedCallersOnly]
    internal static void FreeGCHandle(nint opaque)
    {
        try
        {
            GCHandle.FromIntPtr(opaque).Free();
        }
        catch (Exception)
        {
        }
    }
}
