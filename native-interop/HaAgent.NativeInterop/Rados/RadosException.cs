namespace HaAgent.NativeInterop.Rados;

/// <summary>A librados call failed with a negative errno. The helpers name the answers a fencing caller acts on.</summary>
public sealed class RadosException : ErrnoException
{
    public RadosException(string function, int errno, string? detail = null)
        : base(function, errno, detail)
    {
    }

    /// <summary>
    /// This client has been fenced: Ceph's EBLOCKLISTED is ESHUTDOWN (-108). The handle is dead for good;
    /// only a new connection (after the entry is removed or expires) can write again.
    /// </summary>
    public bool IsBlocklisted => Errno == NativeInterop.Errno.ESHUTDOWN;

    /// <summary>The identity lacks the cephx capability for this operation, or its key was rejected.</summary>
    public bool IsPermissionDenied => Errno is NativeInterop.Errno.EACCES or NativeInterop.Errno.EPERM;

    /// <summary>The pool or object does not exist.</summary>
    public bool IsNotFound => Errno == NativeInterop.Errno.ENOENT;

    /// <summary>A bounded wait (connect, mon or OSD operation timeout) ran out.</summary>
    public bool IsTimeout => Errno == NativeInterop.Errno.ETIMEDOUT;

    internal static void ThrowIfError(int result, string function, string? detail = null)
    {
        if (result < 0)
        {
            Throw(result, function, detail);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void Throw(int result, string function, string? detail = null) =>
        throw new RadosException(function, result, detail);
}
