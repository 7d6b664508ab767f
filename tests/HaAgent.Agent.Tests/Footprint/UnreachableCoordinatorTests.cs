using System.Net;
using System.Net.Sockets;
using HaAgent.Agent.Tests.Link;
using HaAgent.Testing;

namespace HaAgent.Agent.Tests.Footprint;

/// <summary>
/// A coordinator that does not answer must cost the agent a retry every retryDelay, not a loop: the report loop once
/// retried at once whenever its first full report was due (always, after a failed Hello), ~4000 connects/s and 60 % of
/// a core on a host whose coordinators were down.
/// </summary>
public sealed class UnreachableCoordinatorTests
{
    [Fact]
    public async Task Link_CoordinatorClosesEveryConnection_RetriesPacedByRetryDelay()
    {
        // Accepts and closes at once: every exchange fails fast, the worst case for a missing delay.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await listener.AcceptTcpClientAsync(stop.Token);
                    Interlocked.Increment(ref accepted);
                    client.Client.LingerState = new LingerOption(true, 0);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        using var directory = new TempDirectory("agent-unreachable");
        await using var agent = new AgentUnderTest(directory, "host-quiet");
        // retryDelay 100 ms, heartbeat 200 ms (AgentUnderTest's defaults).
        agent.Configure([$"http://127.0.0.1:{port}/"], "test:///default");
        await agent.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = Volatile.Read(ref accepted);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var during = Volatile.Read(ref accepted) - before;
        await agent.StopAsync();
        await stop.CancelAsync();
        listener.Stop();
        await acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));

        // 3 s: report loop ≤ 30 tries (retryDelay 0.1 s), order loop ≤ 30, heartbeat ≤ 15 (0.2 s), each exchange at
        // most a couple of connects. A loop without the delay makes thousands.
        Assert.InRange(during, 1, 200);
    }
}
