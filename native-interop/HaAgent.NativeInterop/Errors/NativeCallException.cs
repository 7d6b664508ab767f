namespace HaAgent.NativeInterop;

/// <summary>
/// A native call failed. Each library has a subclass carrying its own typed detail, so callers can
/// catch "any native failure" or exactly the one they can act on.
/// </summary>
public abstract class NativeCallException : Exception
{
    protected NativeCallException(string function, string message, Exception? inner = null)
        : base($"{function}: {message}", inner)
    {
        Function = function;
    }

    /// <summary>The native function that failed, in its C spelling.</summary>
    public string Function { get; }
}
