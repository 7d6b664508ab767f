namespace HaAgent.NativeInterop.Iscsi;

/// <summary>Connect, login or the first TEST UNIT READY failed: bad portal, unknown target IQN, missing LUN, refused login.</summary>
public sealed class IscsiConnectException : IscsiTransportException
{
    public IscsiConnectException(string function, string libiscsiError, bool timedOut = false)
        : base(function, libiscsiError, timedOut)
    {
    }
}
