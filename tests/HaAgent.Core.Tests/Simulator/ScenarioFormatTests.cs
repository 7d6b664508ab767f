using HaAgent.Simulator;
using HaAgent.Simulator.Scenario;
using HaAgent.Testing;

namespace HaAgent.Core.Tests.Simulator;

public sealed class ScenarioFormatTests
{
    private const string GoodCluster = "host h1\nhost h2\nvm web1 host=h1 vol=ceph:rbd/web1\n";

    [Theory]
    [InlineData("host h1\nhots h2\n", "", "bad/cluster:2: expected 'host', 'vm', 'rule' or 'option', got 'hots'")]
    [InlineData("host h1\nvm a host=h9\n", "", "bad/cluster:2: vm 'a': host 'h9' is not declared above")]
    [InlineData("host h1 cpus=many\n", "", "bad/cluster:1: cpus: expected a non-negative number, got 'many'")]
    [InlineData("host h1\nvm a vol=nfs:x/y\n", "", "bad/cluster:2: volume 'nfs:x/y': unknown backend 'nfs', expected ceph or iscsi")]
    [InlineData("host h1\noption fence-timeout=soon\n", "", "bad/cluster:2: fence-timeout: expected a duration like 10s or 1500ms, got 'soon'")]
    [InlineData(GoodCluster, "10s crash h1\n\n# why\n5s restore h1\n", "bad/cmdlist:4: time 5s is earlier than the line before (10.0s); expected times in order")]
    [InlineData(GoodCluster, "10s explode h1\n", "bad/cmdlist:1: unknown command 'explode'")]
    [InlineData(GoodCluster, "10s crash h7\n", "bad/cmdlist:1: host 'h7' is not declared in cluster")]
    [InlineData(GoodCluster, "10x crash h1\n", "bad/cmdlist:1: expected a time like 10s, 1500ms or 2m, got '10x'")]
    [InlineData(GoodCluster, "fence-fails h1 sometimes\n", "bad/cmdlist:1: expected once, always, never or a positive count, got 'sometimes'")]
    public void Run_MalformedFile_ErrorNamesFileLineAndExpectation(string cluster, string cmdlist, string message)
    {
        using var temp = new TempDirectory("scenario");
        var folder = Scenario(temp, cluster, cmdlist);
        var error = Assert.Throws<ScenarioFormatException>(() => ScenarioRunner.Run(folder));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Main_MalformedScenario_ExitsWithTwo()
    {
        using var temp = new TempDirectory("scenario");
        Assert.Equal(2, Program.Main(["run", Scenario(temp, "host h1\nvm\n", "")]));
    }

    [Fact]
    public void Main_GoodScenarioWithCheckAndNoGolden_ExitsWithOne()
    {
        using var temp = new TempDirectory("scenario");
        var folder = Scenario(temp, GoodCluster + "option end=5s\n", "");
        Assert.Equal(0, Program.Main(["run", folder]));
        Assert.Equal(1, Program.Main(["run", folder, "--check"]));
    }

    private static string Scenario(TempDirectory temp, string cluster, string cmdlist)
    {
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "bad")).FullName;
        File.WriteAllText(Path.Combine(folder, "README"), "A malformed scenario.");
        File.WriteAllText(Path.Combine(folder, "cluster"), cluster);
        File.WriteAllText(Path.Combine(folder, "cmdlist"), cmdlist);
        return folder;
    }
}
