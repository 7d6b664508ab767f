using System.Globalization;

namespace HaAgent.Testing.Lab;

/// <summary>
/// Cleans up labs whose owning process died without disposing them (a killed test run): each lab writes its owner PID
/// into its directory; a lab of a dead owner loses its cgroup (every process, Ceph included), network and directory.
/// </summary>
public static class LabSweeper
{
    public const string CgroupPrefix = "haagent-lab-";

    private const string OwnerFile = "lab.owner";

    internal static void WriteOwner(string labDirectory, string id) =>
        File.WriteAllText(Path.Combine(labDirectory, OwnerFile), string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {id}\n"));

    /// <summary>Removes every lab of a dead owner; returns their ids.</summary>
    public static IReadOnlyList<string> SweepOrphans()
    {
        var swept = new List<string>();
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), "haagent-lab-*"))
        {
            var owner = Path.Combine(directory, OwnerFile);
            string[] fields;
            try
            {
                fields = File.ReadAllText(owner).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
            catch (IOException)
            {
                continue; // starting right now, or not a lab (the capability cache)
            }
            if (fields.Length < 2 || !int.TryParse(fields[0], CultureInfo.InvariantCulture, out var pid) || ProcessKiller.IsAlive(pid))
            {
                continue;
            }
            Remove(fields[1]);
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            swept.Add(fields[1]);
        }
        return swept;
    }

    /// <summary>Kills lab <paramref name="id"/>'s cgroup tree and deletes its network, whatever state they are in.</summary>
    public static void Remove(string id)
    {
        if (LabCgroup.FindRoot() is { } root)
        {
            var path = Path.Combine(root, CgroupPrefix + id);
            if (System.IO.Directory.Exists(path))
            {
                using var cgroup = new LabCgroup(path);
            }
        }
        LabNetwork.Remove(id);
    }
}
