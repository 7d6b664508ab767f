namespace HaAgent.NativeInterop.Libvirt;

/// <summary>A libvirt call failed; carries libvirt's own error code, domain and message (virGetLastError).</summary>
public sealed class LibvirtException : NativeCallException
{
    public LibvirtException(string function, LibvirtErrorCode code, LibvirtErrorDomain domain, string libvirtMessage)
        : base(function, $"{libvirtMessage} (code {code}={(int)code}, domain {domain}={(int)domain})")
    {
        Code = code;
        Domain = domain;
        LibvirtMessage = libvirtMessage;
    }

    /// <summary>virErrorNumber, e.g. <see cref="LibvirtErrorCode.NoDomain"/>.</summary>
    public LibvirtErrorCode Code { get; }

    /// <summary>virErrorDomain: the part of libvirt that raised the error.</summary>
    public LibvirtErrorDomain Domain { get; }

    /// <summary>libvirt's human-readable message, verbatim.</summary>
    public string LibvirtMessage { get; }
}
