using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Testing.Lab;

/// <summary>
/// A coordinator impostor inside a lab host: an HTTP server (python3's http.server) on the host's address that speaks
/// the agent endpoint's wire (TRANSPORT.md) with frames the caller encoded beforehand — what a deposed leader that
/// comes back with an order still queued would send. Messages get the given acks while they last; the first order
/// poll gets the order; 2 s after that (and once the acks run out) everything is answered 503 with the
/// <c>HaAgent-Leader</c> hint, so the agent goes back to the real leader at once. Every request body is kept in
/// <see cref="ReceivedDirectory"/> (NNN-messages.bin / NNN-orders.bin).
/// </summary>
public sealed class LabImpostorEndpoint : IDisposable
{
    private const string Script = """
        import os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        address, port, folder, hint = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        acks = sorted(os.listdir(os.path.join(folder, "acks")))
        lock = threading.Lock()
        state = {"acks": 0, "delivered": False, "deliveredAt": 0.0, "n": 0}
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, fmt, *args):
                sys.stdout.write("%.3f %s\n" % (time.time(), fmt % args)); sys.stdout.flush()
            def answer(self, status, body=b"", frame=False):
                self.send_response(status)
                if status == 503:
                    self.send_header("HaAgent-Leader", hint)
                self.send_header("Content-Type", "application/x-haagent-frame" if frame else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                kind = "orders" if self.path.endswith("/orders") else "messages"
                with lock:
                    state["n"] += 1
                    with open(os.path.join(folder, "received", "%03d-%s.bin" % (state["n"], kind)), "wb") as f:
                        f.write(body)
                    if kind == "orders" and not state["delivered"]:
                        state["delivered"] = True
                        state["deliveredAt"] = time.time()
                        with open(os.path.join(folder, "order.bin"), "rb") as f:
                            frame = f.read()
                        open(os.path.join(folder, "delivered"), "w").close()
                        return self.answer(200, frame, True)
                    # Acks go on for 2 s after the order went out: a 503 to a message makes the agent abandon a poll
                    # on this endpoint, and the order would be dropped unread (a real coordinator redelivers it).
                    if kind == "messages" and (not state["delivered"] or time.time() - state["deliveredAt"] < 2.0) and state["acks"] < len(acks):
                        with open(os.path.join(folder, "acks", acks[state["acks"]]), "rb") as f:
                            frame = f.read()
                        state["acks"] += 1
                        return self.answer(200, frame, True)
                # The order went out (or nothing is left to say): behave like a deposed coordinator.
                return self.answer(503, b"not leading")
        ThreadingHTTPServer.allow_reuse_address = True
        server = ThreadingHTTPServer((address, port), Handler)
        open(os.path.join(folder, "listening"), "w").close()
        server.serve_forever()
        """;

    private readonly Process _process;

    private LabImpostorEndpoint(Process process, string directory, string url)
    {
        _process = process;
        Directory = directory;
        Url = url;
    }

    public string Directory { get; }

    /// <summary>What an agent lists in CoordinatorEndpoints to reach the impostor.</summary>
    public string Url { get; }

    public string ReceivedDirectory => Path.Combine(Directory, "received");

    /// <summary>True once the order frame was handed to an agent's poll.</summary>
    public bool Delivered => File.Exists(Path.Combine(Directory, "delivered"));

    /// <summary>
    /// Starts the impostor inside <paramref name="host"/> on its address and <paramref name="port"/>, serving
    /// <paramref name="acks"/> to messages and <paramref name="order"/> to the first poll; 503s name
    /// <paramref name="leaderHint"/>.
    /// </summary>
    public static async Task<LabImpostorEndpoint> StartAsync(
        LabHost host, int port, IReadOnlyList<byte[]> acks, byte[] order, string leaderHint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(acks);
        var directory = Path.Combine(host.Directory, "impostor-" + port.ToString(CultureInfo.InvariantCulture));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "acks"));
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "received"));
        for (var i = 0; i < acks.Count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "acks", i.ToString("D3", CultureInfo.InvariantCulture) + ".bin"), acks[i], cancellationToken).ConfigureAwait(false);
        }
        await File.WriteAllBytesAsync(Path.Combine(directory, "order.bin"), order, cancellationToken).ConfigureAwait(false);
        var script = Path.Combine(directory, "impostor.py");
        await File.WriteAllTextAsync(script, Script, cancellationToken).ConfigureAwait(false);
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var process = host.StartProcess(python, [script, host.Address, port.ToString(CultureInfo.InvariantCulture), directory, leaderHint], Path.Combine(directory, "impostor.log"));
        var impostor = new LabImpostorEndpoint(process, directory, string.Create(CultureInfo.InvariantCulture, $"http://{host.Address}:{port}/"));
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(directory, "listening")))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                impostor.Dispose();
                throw new InvalidOperationException($"the impostor endpoint did not start; see {directory}/impostor.log");
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        return impostor;
    }

    /// <summary>Every request body it received, in order, with the path kind ("messages"/"orders").</summary>
    public IReadOnlyList<(string Kind, byte[] Body)> Received() =>
        [.. System.IO.Directory.GetFiles(ReceivedDirectory, "*.bin").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f).Split('-')[1], File.ReadAllBytes(f)))];

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
