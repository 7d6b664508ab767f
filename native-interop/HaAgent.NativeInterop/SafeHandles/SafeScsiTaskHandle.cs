using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>
/// A completed struct scsi_task from a libiscsi *_sync call. The task owns its data-in buffer and anything
/// scsi_datain_unmarshall made of it; it does not point back into the context, so it needs no parent reference.
/// </summary>
internal sealed class SafeScsiTaskHandle : SafeHandle
{
    public SafeScsiTaskHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The fields of the task HaAgent reads. Valid while this handle is alive.</summary>
    internal unsafe ref readonly Interop.Iscsi.scsi_task Task => ref *(Interop.Iscsi.scsi_task*)handle;

    protected override bool ReleaseHandle()
    {
        Interop.Iscsi.scsi_free_scsi_task(handle);
        return true;
    }
}
