using HaAgent.NativeInterop.Libvirt;

namespace HaAgent.Agent.Restart;

/// <summary>
/// Closes an order's libvirt connection without letting a hung libvirtd hang the order: virConnectClose on a remote
/// connection is an RPC with no timeout (found with a SIGSTOPped libvirtd). The close runs on the pool; after
/// <see cref="Bound"/> the order returns and the close finishes whenever libvirtd answers or dies.
/// </summary>
internal static class ConnectionRelease
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    public static async Task DisposeBoundedAsync(LibvirtConnection connection)
    {
        var closing = Task.Run(connection.Dispose, CancellationToken.None);
        try
        {
            await closing.WaitAsync(Bound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _ = closing.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }
}
