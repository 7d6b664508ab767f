using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>
/// An iscsi_context. Release only destroys the context (closing the socket); a polite logout is the session's
/// job while the target is known to be alive, because a logout to a dead target must not block a finalizer.
/// </summary>
internal sealed class SafeIscsiContextHandle : SafeHandle
{
    public SafeIscsiContextHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Interop.Iscsi.iscsi_destroy_context(handle);
        return true;
    }
}
