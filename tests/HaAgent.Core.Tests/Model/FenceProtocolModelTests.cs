using Xunit.Abstractions;

namespace HaAgent.Core.Tests.Model;

/// <summary>
/// Model-checks coordinator/model/fence.pml with SPIN: the fence-then-restart protocol never lets two copies of
/// a VM write, over every interleaving of a lossy network, leader failover, host isolation and reboot. Each guard
/// of the protocol is then removed in turn, and SPIN must find the two writers it was preventing -- so a change
/// that makes a guard useless, or the model blind, fails here.
/// </summary>
public sealed class FenceProtocolModelTests
{
    private const string Model = "fence.pml";

    private readonly ITestOutputHelper _output;

    public FenceProtocolModelTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [SkippableFact]
    public async Task FenceProtocol_WithVerification_NeverHasTwoWriters()
    {
        var verdict = await VerifyAsync();

        Assert.True(verdict.Errors == 0, $"SPIN found a run with two writers:\n{verdict.ViolatedAssertion}\n{verdict.Trail}");
        Assert.True(verdict.SearchWasExhaustive, $"pan did not search the whole state space:\n{verdict.Output}");
        // A model that lost a process or a channel shrinks by orders of magnitude; the full one has millions.
        Assert.True(verdict.StatesStored > 1_000_000, $"only {verdict.StatesStored} states: the model no longer explores the protocol");
    }

    [SkippableFact]
    public async Task FenceProtocol_HostSilentButAlive_RestartsVmOnPeerBehindFence()
    {
        var verdict = await VerifyAsync("PROBE_FAILOVER");

        Assert.True(verdict.Errors >= 1, "no run has h2's copy writing while h1's copy still runs: the model never fails over from a live host, so 0 errors proves little");
    }

    [SkippableFact]
    public async Task FenceProtocol_FencedHostReturnsWithVmDead_IsUnfenced()
    {
        var verdict = await VerifyAsync("PROBE_RETURN");

        Assert.True(verdict.Errors >= 1, "no run unfences h1: the return path is dead in the model, so 0 errors proves nothing");
    }

    [SkippableFact]
    public async Task FenceProtocol_WithoutVerification_FindsTwoWriters() =>
        await AssertTwoWritersFoundAsync("NO_VERIFY");

    [SkippableFact]
    public async Task FenceProtocol_AgentsObeyingStaleEpochs_FindsTwoWriters() =>
        await AssertTwoWritersFoundAsync("ACCEPT_STALE_EPOCH");

    [SkippableFact]
    public async Task FenceProtocol_AgentForgettingEpochOnReboot_FindsTwoWriters() =>
        await AssertTwoWritersFoundAsync("FORGET_EPOCH_ON_REBOOT");

    [SkippableFact]
    public async Task FenceProtocol_UnfenceWithoutKillingLocalCopy_FindsTwoWriters() =>
        await AssertTwoWritersFoundAsync("UNFENCE_WITHOUT_KILL");

    [SkippableFact]
    public async Task FenceProtocol_OrdersNotGuardedByLeaderEpoch_FindsTwoWriters() =>
        await AssertTwoWritersFoundAsync("UNGUARDED_ORDERS");

    [SkippableFact]
    public async Task FenceProtocol_LinkReorderingOneLeadersOrders_FindsTwoWriters() =>
        await AssertTwoWritersFoundAsync("REORDERING_LINKS");

    private async Task AssertTwoWritersFoundAsync(string brokenGuard)
    {
        var verdict = await VerifyAsync(brokenGuard);

        Assert.True(verdict.Errors >= 1, $"with {brokenGuard} SPIN found no violation, so the guard it removes is not shown to matter:\n{verdict.Output}");
        Assert.NotNull(verdict.ViolatedAssertion);
        // The two-writers assertion names both copies; any other failed assertion would be a broken model.
        Assert.Contains("running[0]", verdict.ViolatedAssertion, StringComparison.Ordinal);
        Assert.Contains("running[1]", verdict.ViolatedAssertion, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(verdict.Trail), "pan reported an error but left no trail to replay");
    }

    private async Task<SpinVerdict> VerifyAsync(params string[] defines)
    {
        SpinVerifier.RequireTools();
        var verdict = await SpinVerifier.VerifyAsync(SpinVerifier.ModelPath(Model), defines);
        var name = defines.Length == 0 ? "protocol as designed" : string.Join(' ', defines);
        _output.WriteLine($"{name}: errors {verdict.Errors}, {verdict.StatesStored} states, {verdict.Elapsed.TotalSeconds:F1} s, exhaustive {verdict.SearchWasExhaustive}");
        if (verdict.Trail is not null)
        {
            _output.WriteLine(verdict.Trail);
        }
        return verdict;
    }
}
