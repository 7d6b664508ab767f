using HaAgent.NativeInterop.Iscsi;
using HaAgent.NativeInterop.Rados;

namespace HaAgent.Agent.Fencing;

/// <summary>Turns what a storage call threw into a typed failure; anything unexpected is still a failure, never success.</summary>
internal static class FenceErrors
{
    public static FenceFailure Classify(Exception exception, string target, string step) => exception switch
    {
        TimeoutException => new(FenceFailureKind.Timeout, target, step, exception.Message),
        RadosException { IsPermissionDenied: true } => new(FenceFailureKind.PermissionDenied, target, step, exception.Message),
        RadosException { IsTimeout: true } => new(FenceFailureKind.Timeout, target, step, exception.Message),
        RadosException { Function: "rados_connect" or "rados_conf_read_file" } => new(FenceFailureKind.Unreachable, target, step, exception.Message),
        RadosException => new(FenceFailureKind.StorageRefused, target, step, exception.Message),
        IscsiConnectException => new(FenceFailureKind.Unreachable, target, step, exception.Message),
        IscsiTransportException { TimedOut: true } => new(FenceFailureKind.Timeout, target, step, exception.Message),
        IscsiTransportException => new(FenceFailureKind.Unreachable, target, step, exception.Message),
        ReservationConflictException => new(FenceFailureKind.NotRegistered, target, step,
            $"{exception.Message} (this host's nexus is not registered: it may be fenced itself)"),
        ScsiCommandException => new(FenceFailureKind.StorageRefused, target, step, exception.Message),
        ArgumentException => new(FenceFailureKind.InvalidOrder, target, step, exception.Message),
        _ => new(FenceFailureKind.StorageRefused, target, step, $"{exception.GetType().Name}: {exception.Message}"),
    };
}
