using System.Text;

namespace HaAgent.Testing.Lab;

/// <summary>
/// One bridge in the root namespace (no address) and one network namespace per lab member, linked by a veth pair.
/// Names carry the lab id, so labs side by side never collide; the root namespace's own addresses are left alone.
/// </summary>
public sealed class LabNetwork : IDisposable
{
    private readonly List<string> _roles = [];

    private LabNetwork(string id)
    {
        Id = id;
    }

    public string Id { get; }

    public string Bridge => BridgeName(Id);

    public static string BridgeName(string id) => $"hb{id}";

    public static string NamespacePrefix(string id) => $"haagent-{id}-";

    /// <summary>The member's namespace, e.g. haagent-3fa2-h1.</summary>
    public string Namespace(string role) => NamespacePrefix(Id) + role;

    /// <summary>Root-namespace end of the member's veth (≤ 15 characters); setting it down cuts the member off.</summary>
    public string Veth(string role) => $"hv{Id}{role}";

    public static async Task<LabNetwork> CreateAsync(string id, IReadOnlyList<(string Role, string Address)> members, CancellationToken cancellationToken)
    {
        var network = new LabNetwork(id);
        try
        {
            var script = new StringBuilder();
            script.AppendLine($"ip link add {network.Bridge} type bridge");
            script.AppendLine($"ip link set {network.Bridge} up");
            foreach (var (role, address) in members)
            {
                network._roles.Add(role);
                var ns = network.Namespace(role);
                var veth = network.Veth(role);
                script.AppendLine($"ip netns add {ns}");
                script.AppendLine($"ip link add {veth} type veth peer name eth0 netns {ns}");
                script.AppendLine($"ip link set {veth} master {network.Bridge} up");
                // lo keeps only 127.0.0.1/32: with the usual /8 the local route would swallow 127.99.0.0/16.
                script.AppendLine($"ip -n {ns} link set lo up");
                script.AppendLine($"ip -n {ns} addr del 127.0.0.1/8 dev lo");
                script.AppendLine($"ip -n {ns} addr add 127.0.0.1/32 dev lo");
                script.AppendLine($"ip netns exec {ns} sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.default.route_localnet=1 net.ipv4.conf.eth0.route_localnet=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0");
                script.AppendLine($"ip -n {ns} addr add {address}/{LabAddresses.PrefixLength} dev eth0");
                script.AppendLine($"ip -n {ns} link set eth0 up");
            }
            (await ProcessRunner.RunAsync("/bin/sh", ["-ec", script.ToString()], TimeSpan.FromSeconds(20), cancellationToken: cancellationToken)
                .ConfigureAwait(false)).EnsureSuccess("lab network setup");
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Link down/up of the member's veth on the bridge: a clean cut of everything the member says or hears.</summary>
    public async Task SetLinkAsync(string role, bool up, CancellationToken cancellationToken = default) =>
        (await ProcessRunner.RunAsync("ip", ["link", "set", Veth(role), up ? "up" : "down"], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken)
            .ConfigureAwait(false)).EnsureSuccess($"ip link set {Veth(role)}");

    public void Dispose() => Remove(Id);

    /// <summary>Deletes every namespace, veth and the bridge of lab <paramref name="id"/>, whatever is left of them.</summary>
    public static void Remove(string id)
    {
        var script = new StringBuilder();
        script.AppendLine($"for ns in $(ip netns list | awk '{{print $1}}' | grep '^{NamespacePrefix(id)}'); do ip netns del $ns; done");
        script.AppendLine($"for l in $(ip -o link show | awk -F': ' '{{print $2}}' | cut -d@ -f1 | grep '^hv{id}'); do ip link del $l; done");
        script.AppendLine($"ip link del {BridgeName(id)} 2>/dev/null");
        script.AppendLine("true");
        try
        {
            ProcessRunner.RunAsync("/bin/sh", ["-c", script.ToString()], TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
        }
    }
}
