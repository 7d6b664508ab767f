namespace HaAgent.NativeInterop;

/// <summary>A native call returned a negative errno (librados and libiscsi style).</summary>
public class ErrnoException : NativeCallException
{
    public ErrnoException(string function, int errno, string? detail = null)
        : base(function, $"{NativeInterop.Errno.Name(errno)} ({-Math.Abs(errno)}){(detail is null ? "" : ": " + detail)}")
    {
        Errno = Math.Abs(errno);
    }

    /// <summary>The positive errno value.</summary>
    public int Errno { get; }

    /// <summary>The errno's C name, e.g. "ESHUTDOWN".</summary>
    public string ErrnoName => NativeInterop.Errno.Name(Errno);
}
