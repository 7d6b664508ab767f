using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// Turns libvirt's thread-local last error into a <see cref="LibvirtException"/>. Call on the thread that made
/// the failing call, before any other libvirt call there: the next call resets the error.
/// </summary>
internal static class LibvirtErrors
{
    internal static unsafe LibvirtException FromLastError(string function)
    {
        var error = Interop.Libvirt.virGetLastError();
        if (error is null)
        {
            return new LibvirtException(function, LibvirtErrorCode.Ok, LibvirtErrorDomain.None, "failed without setting an error");
        }

        var exception = new LibvirtException(
            function,
            (LibvirtErrorCode)error->code,
            (LibvirtErrorDomain)error->domain,
            Marshal.PtrToStringUTF8(error->message) ?? "(no message)");
        Interop.Libvirt.virResetLastError();
        return exception;
    }

    [DoesNotReturn]
    internal static void Throw(string function) => throw FromLastError(function);

    /// <summary>Forgets a failure that is deliberately ignored (teardown), so it cannot be mistaken for a later one.</summary>
    internal static void Discard() => Interop.Libvirt.virResetLastError();
}
