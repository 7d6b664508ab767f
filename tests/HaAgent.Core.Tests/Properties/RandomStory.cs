using System.Globalization;
using System.Text;
using CsCheck;

namespace HaAgent.Core.Tests.Properties;

/// <summary>
/// A random cluster and fault timeline. Faults hit at most a third of the hosts (so the fencing-storm guard stays out
/// of the way), happen in the first minute, and at 70s everything is repaired and a fresh epoch leads, so the end
/// state can be judged.
/// </summary>
/// <remarks>A wild story lets faults hit every host and fences fail for good: only safety can be judged then.</remarks>
/// <remarks>
/// Beyond <see cref="FaultKinds"/>, a story may also hold leader takeovers (a new coordinator built from what the old
/// one persisted, no heartbeat history) and operator changes (unprotect/protect a VM, remove/re-add a host).
/// </remarks>
internal sealed record RandomStory(int Hosts, RandomVm[] Vms, RandomFault[] Faults, bool Wild = false)
{
    public static readonly string[] Kinds =
    [
        "crash", "partition", "cut-storage", "observer-cut", "self-fence", "restore",
        "fence-fails", "fence-hangs", "fence-unproven", "start-fails", "maintenance", "maintenance-end",
        "coordinator-epoch", "leadership-lost",
        // Only in stories generated with takeovers / configuration changes (the kind index range says which).
        "coordinator-failover",
        "unprotect", "protect", "remove-host", "add-host",
    ];

    /// <summary>Faults only (the first 14 kinds).</summary>
    private const int FaultKinds = 14;

    /// <summary>Faults and leader takeovers.</summary>
    private const int WithTakeovers = FaultKinds + 1;

    public static Gen<RandomStory> Gen { get; } = Build(FaultKinds);

    public static Gen<RandomStory> WildGen { get; } = Gen.Select(s => s with { Wild = true });

    /// <summary>Faults mixed with leader takeovers mid-anything (mid-fence included): the settled end state is judged too.</summary>
    public static Gen<RandomStory> TakeoverGen { get; } = Build(WithTakeovers);

    /// <summary>Faults, takeovers and operator changes, every host breakable: only safety is judged.</summary>
    public static Gen<RandomStory> ChangesGen { get; } = Build(Kinds.Length, faults: 20).Select(s => s with { Wild = true });

    private static Gen<RandomStory> Build(int kinds, int faults = 14) =>
        CsCheck.Gen.Int[4, 8].SelectMany(hosts => CsCheck.Gen.Select(
            CsCheck.Gen.Select(CsCheck.Gen.Int[0, hosts - 1], CsCheck.Gen.Int[1, 3], CsCheck.Gen.Int[0, 2], CsCheck.Gen.Int[0, 3],
                (host, cpus, backend, prio) => new RandomVm(host, cpus, backend, prio)).Array[1, 10],
            CsCheck.Gen.Select(CsCheck.Gen.Int[1, 60], CsCheck.Gen.Int[0, kinds - 1], CsCheck.Gen.Int[0, hosts - 1],
                (at, kind, host) => new RandomFault(at, kind, host)).Array[0, faults],
            (vms, faultList) => new RandomStory(hosts, vms, faultList)));

    /// <summary>The hosts faults may hit: a third of them, at least one (all of them in a wild story).</summary>
    private int Breakable => Wild ? Hosts : Math.Max(1, (Hosts - 1) / 3);

    public string Cluster()
    {
        var text = new StringBuilder();
        for (var h = 0; h < Hosts; h++)
        {
            text.Append(CultureInfo.InvariantCulture, $"host h{h} cpus=8 mem=16G rack=r{h % 3}\n");
        }
        for (var v = 0; v < Vms.Length; v++)
        {
            var vm = Vms[v];
            var volume = vm.Backend switch
            {
                0 => $"vol=ceph:rbd/vm{v}",
                1 => $"vol=iscsi:iqn.2026-01.lab:t{v % 2}/{v}",
                _ => $"vol=ceph:rbd/vm{v} vol=iscsi:iqn.2026-01.lab:t0/{v}",
            };
            text.Append(CultureInfo.InvariantCulture, $"vm vm{v} host=h{vm.Host} cpus={vm.Cpus} mem={vm.Cpus}G prio={vm.Priority} {volume}\n");
        }
        text.Append("option end=300s\n");
        return text.ToString();
    }

    public string Cmdlist()
    {
        var text = new StringBuilder();
        long epoch = 1;
        foreach (var fault in Faults.OrderBy(f => f.At))
        {
            var kind = Kinds[fault.Kind];
            var breakable = $"h{fault.Host % Breakable}";
            var any = $"h{fault.Host}";
            var line = kind switch
            {
                "crash" or "cut-storage" or "observer-cut" or "self-fence" or "restore" => $"{kind} {breakable}",
                "partition" => $"partition {breakable} network",
                "fence-fails" or "fence-hangs" or "fence-unproven" => $"{kind} {breakable} {(Wild && fault.At % 2 == 0 ? "always" : "once")}",
                "start-fails" => $"start-fails {any} once",
                "maintenance" or "maintenance-end" => $"{kind} {any}",
                "coordinator-epoch" => $"coordinator-epoch {++epoch}",
                "coordinator-failover" => $"coordinator-failover {++epoch}",
                "unprotect" or "protect" => $"{kind} vm{fault.Host % Vms.Length}",
                "remove-host" or "add-host" => $"{kind} {any}",
                _ => "coordinator-epoch 0",
            };
            text.Append(CultureInfo.InvariantCulture, $"{fault.At}s {line}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"70s restore {string.Join(' ', Enumerable.Range(0, Hosts).Select(h => $"h{h}"))}\n");
        if (Faults.Any(static f => Kinds[f.Kind] is "unprotect" or "remove-host"))
        {
            // The operator undoes the changes: removed hosts come back (fenced ones still fenced), VMs protected again.
            foreach (var h in Enumerable.Range(0, Hosts))
            {
                text.Append(CultureInfo.InvariantCulture, $"70s add-host h{h}\n");
            }
            foreach (var v in Enumerable.Range(0, Vms.Length))
            {
                text.Append(CultureInfo.InvariantCulture, $"70s protect vm{v}\n");
            }
        }
        text.Append(CultureInfo.InvariantCulture, $"70s coordinator-epoch {epoch + 1}\n");
        return text.ToString();
    }

    public override string ToString() => $"--- cluster\n{Cluster()}--- cmdlist\n{Cmdlist()}";
}
