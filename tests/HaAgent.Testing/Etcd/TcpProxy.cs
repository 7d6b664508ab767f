using System.Net;
using System.Net.Sockets;

namespace HaAgent.Testing.Etcd;

/// <summary>
/// A loopback TCP forwarder that can black-hole traffic: while <see cref="Partition"/> is on, connections stay open but
/// no byte gets through in either direction (like dropped packets, not a reset); <see cref="Heal"/> lets the held
/// bytes flow again. Puts one client on the far side of a network partition while others reach the server directly.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private volatile TaskCompletionSource _flowing = CompletedGate();

    private TcpProxy(TcpListener listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    public static TcpProxy Start(int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new TcpProxy(listener, new IPEndPoint(IPAddress.Loopback, targetPort));
    }

    public void Partition()
    {
        if (_flowing.Task.IsCompleted)
        {
            _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Heal() => _flowing.TrySetResult();

    public void Dispose()
    {
        _stop.Cancel();
        Heal();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }
        _stop.Dispose();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                var server = new TcpClient();
                try
                {
                    await server.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    client.Dispose();
                    server.Dispose();
                    continue;
                }
                lock (_connections)
                {
                    _connections.Add(client);
                    _connections.Add(server);
                }
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var destination = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                await _flowing.Task.WaitAsync(_stop.Token).ConfigureAwait(false);
                await destination.WriteAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
