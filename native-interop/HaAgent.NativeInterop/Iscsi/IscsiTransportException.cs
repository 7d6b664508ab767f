namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// No SCSI answer arrived: the connection dropped, the target did not answer in time, or libiscsi refused the call.
/// The session is unusable afterwards. Whether a command sent just before took effect is unknown.
/// </summary>
public class IscsiTransportException : NativeCallException
{
    public IscsiTransportException(string function, string libiscsiError, bool timedOut = false)
        : base(function, libiscsiError)
    {
        LibiscsiError = libiscsiError;
        TimedOut = timedOut;
    }

    /// <summary>libiscsi's own description (iscsi_get_error) or why HaAgent refused the call.</summary>
    public string LibiscsiError { get; }

    /// <summary>True when the target stayed silent past the session timeout (it may still be alive, or frozen).</summary>
    public bool TimedOut { get; }
}
