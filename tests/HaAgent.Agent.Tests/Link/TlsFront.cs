using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace HaAgent.Agent.Tests.Link;

/// <summary>
/// A TLS-terminating front for a plain-HTTP <see cref="TestCoordinator"/> (HttpListener has no TLS on Linux): accepts
/// TLS on a loopback port with <see cref="Certificate"/> (replaceable between connections), offers HTTP/1.1 by ALPN,
/// and pipes the plaintext to the backend. Counts handshakes so a test can see an agent keep retrying.
/// </summary>
internal sealed class TlsFront : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _backendPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _handshakes;
    private int _failedHandshakes;

    public TlsFront(Uri backend, X509Certificate2 certificate)
    {
        _backendPort = backend.Port;
        Certificate = certificate;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public volatile X509Certificate2 Certificate;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BaseUrl => $"https://127.0.0.1:{Port}/";

    public int Handshakes => Volatile.Read(ref _handshakes);

    public int FailedHandshakes => Volatile.Read(ref _failedHandshakes);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            Interlocked.Increment(ref _handshakes);
            using var tls = new SslStream(client.GetStream());
            try
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                bound.CancelAfter(TimeSpan.FromSeconds(10));
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = Certificate,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, bound.Token);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                Interlocked.Increment(ref _failedHandshakes);
                return;
            }
            using var backend = new TcpClient();
            try
            {
                await backend.ConnectAsync(IPAddress.Loopback, _backendPort, _stop.Token);
                var upstream = backend.GetStream();
                var toBackend = tls.CopyToAsync(upstream, _stop.Token);
                var toClient = upstream.CopyToAsync(tls, _stop.Token);
                await Task.WhenAny(toBackend, toClient);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }
}
