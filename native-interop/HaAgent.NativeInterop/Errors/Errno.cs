namespace HaAgent.NativeInterop;

/// <summary>Linux errno values HaAgent reasons about; the names keep their C spelling.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ERANGE = 34;
    public const int ENOTSUP = 95;
    public const int ENOTCONN = 107;
    /// <summary>Ceph's EBLOCKLISTED is ESHUTDOWN: the client was fenced.</summary>
    public const int ESHUTDOWN = 108;
    public const int ETIMEDOUT = 110;
    public const int ECONNREFUSED = 111;
    public const int EHOSTUNREACH = 113;

    /// <summary>The C name of <paramref name="errno"/> (positive or negative), or "E?N" when HaAgent has no name for it.</summary>
    public static string Name(int errno) => Math.Abs(errno) switch
    {
        EPERM => nameof(EPERM),
        ENOENT => nameof(ENOENT),
        ESRCH => nameof(ESRCH),
        EINTR => nameof(EINTR),
        EIO => nameof(EIO),
        EAGAIN => nameof(EAGAIN),
        ENOMEM => nameof(ENOMEM),
        EACCES => nameof(EACCES),
        EBUSY => nameof(EBUSY),
        EEXIST => nameof(EEXIST),
        EINVAL => nameof(EINVAL),
        ERANGE => nameof(ERANGE),
        ENOTSUP => nameof(ENOTSUP),
        ENOTCONN => nameof(ENOTCONN),
        ESHUTDOWN => nameof(ESHUTDOWN),
        ETIMEDOUT => nameof(ETIMEDOUT),
        ECONNREFUSED => nameof(ECONNREFUSED),
        EHOSTUNREACH => nameof(EHOSTUNREACH),
        var other => $"E?{other}",
    };
}
