using System.Text;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Tests.Store;

/// <summary>
/// What the coordinator relies on from any store, run against SQLite and a real etcd alike. Each test opens store
/// instances over the same backing store (same file, same etcd prefix), as separate coordinators would.
/// </summary>
public abstract class CoordinatorStoreContractTests : IAsyncLifetime
{
    private readonly List<ICoordinatorStore> _stores = [];
    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(60));

    protected CancellationToken Token => _testTimeout.Token;

    /// <summary>A new store instance over this test's backing store, campaigning as <paramref name="instanceId"/>.</summary>
    private protected abstract Task<ICoordinatorStore> CreateStoreAsync(string instanceId);

    /// <summary>Makes <paramref name="store"/> stop renewing its lease without giving it up, like a frozen process.</summary>
    private protected abstract void StopRenewing(ICoordinatorStore store);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        _testTimeout.Dispose();
    }

    private protected async Task<ICoordinatorStore> OpenAsync(string instanceId)
    {
        var store = await CreateStoreAsync(instanceId);
        _stores.Add(store);
        return store;
    }

    private protected async Task<(ICoordinatorStore Store, Leadership Leadership)> OpenLeaderAsync(string instanceId = "c1")
    {
        var store = await OpenAsync(instanceId);
        var leadership = await store.TryAcquireLeadershipAsync(Token);
        Assert.NotNull(leadership);
        return (store, leadership);
    }

    private protected static Leadership Unaware(Leadership leadership) => leadership.UnawareCopyForTesting(TimeProvider.System);

    private protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private protected static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    [SkippableFact]
    public async Task Put_NewKey_GetReturnsValueAndPositiveVersion()
    {
        var (store, leader) = await OpenLeaderAsync();

        var result = await store.PutAsync(leader, "vms/a", Bytes("one"), expectedVersion: null, Token);

        Assert.Equal(WriteOutcome.Written, result.Outcome);
        Assert.True(result.Version > 0);
        var document = await store.GetAsync("vms/a", Token);
        Assert.NotNull(document);
        Assert.Equal("one", Text(document.Value));
        Assert.Equal(result.Version, document.Version);
        Assert.Null(await store.GetAsync("vms/b", Token));
    }

    [SkippableFact]
    public async Task Put_Overwrite_VersionGrowsAndReadersSeeNewValue()
    {
        var (store, leader) = await OpenLeaderAsync();
        var first = await store.PutAsync(leader, "vms/a", Bytes("one"), null, Token);

        var second = await store.PutAsync(leader, "vms/a", Bytes("two"), null, Token);

        Assert.True(second.Version > first.Version);
        var reader = await OpenAsync("reader");
        var document = await reader.GetAsync("vms/a", Token);
        Assert.Equal("two", Text(document!.Value));
    }

    [SkippableFact]
    public async Task List_ManyDocuments_PagesThroughPrefixInKeyOrderOnly()
    {
        var (store, leader) = await OpenLeaderAsync();
        for (var i = 0; i < 25; i++)
        {
            await store.PutAsync(leader, $"vms/{i:D2}", Bytes($"v{i}"), null, Token);
        }
        await store.PutAsync(leader, "vmsx", Bytes("not under vms/"), null, Token);
        await store.PutAsync(leader, "hosts/h1", Bytes("h"), null, Token);

        var keys = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await store.ListAsync("vms/", after, 10, Token);
            Assert.True(page.Documents.Count <= 10);
            keys.AddRange(page.Documents.Select(d => d.Key));
            after = page.NextStartAfter;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"vms/{i:D2}"), keys);
        Assert.Equal(3, pages);
        var all = await store.ListAsync("", null, 100, Token);
        Assert.Equal(["hosts/h1", .. keys, "vmsx"], all.Documents.Select(d => d.Key));
        Assert.Null(all.NextStartAfter);
    }

    [SkippableFact]
    public async Task Delete_ExistingKey_RemovesItAndMissingKeyIsNotFound()
    {
        var (store, leader) = await OpenLeaderAsync();
        await store.PutAsync(leader, "vms/a", Bytes("one"), null, Token);

        var deleted = await store.DeleteAsync(leader, "vms/a", null, Token);
        var again = await store.DeleteAsync(leader, "vms/a", null, Token);

        Assert.Equal(WriteOutcome.Deleted, deleted.Outcome);
        Assert.Equal(WriteOutcome.NotFound, again.Outcome);
        Assert.Null(await store.GetAsync("vms/a", Token));
    }

    [SkippableFact]
    public async Task Put_StaleExpectedVersion_ConflictsWithCurrentVersionAndKeepsValue()
    {
        var (store, leader) = await OpenLeaderAsync();
        var first = await store.PutAsync(leader, "vms/a", Bytes("one"), 0, Token);
        var second = await store.PutAsync(leader, "vms/a", Bytes("two"), first.Version, Token);

        var stale = await store.PutAsync(leader, "vms/a", Bytes("three"), first.Version, Token);
        var createOnly = await store.PutAsync(leader, "vms/a", Bytes("four"), 0, Token);

        Assert.Equal(WriteOutcome.Written, first.Outcome);
        Assert.Equal(WriteOutcome.Written, second.Outcome);
        Assert.Equal(new WriteResult(WriteOutcome.VersionConflict, second.Version), stale);
        Assert.Equal(new WriteResult(WriteOutcome.VersionConflict, second.Version), createOnly);
        Assert.Equal("two", Text((await store.GetAsync("vms/a", Token))!.Value));
    }

    [SkippableFact]
    public async Task Delete_StaleExpectedVersion_ConflictsAndKeepsDocument()
    {
        var (store, leader) = await OpenLeaderAsync();
        var first = await store.PutAsync(leader, "vms/a", Bytes("one"), null, Token);
        var second = await store.PutAsync(leader, "vms/a", Bytes("two"), null, Token);

        var stale = await store.DeleteAsync(leader, "vms/a", first.Version, Token);
        var current = await store.DeleteAsync(leader, "vms/a", second.Version, Token);

        Assert.Equal(new WriteResult(WriteOutcome.VersionConflict, second.Version), stale);
        Assert.Equal(WriteOutcome.Deleted, current.Outcome);
        Assert.Null(await store.GetAsync("vms/a", Token));
    }

    [SkippableFact]
    public async Task Put_DeleteAndRecreate_VersionNeverRepeats()
    {
        var (store, leader) = await OpenLeaderAsync();
        var first = await store.PutAsync(leader, "vms/a", Bytes("one"), 0, Token);
        await store.DeleteAsync(leader, "vms/a", first.Version, Token);

        var recreated = await store.PutAsync(leader, "vms/a", Bytes("two"), 0, Token);
        var staleSwap = await store.PutAsync(leader, "vms/a", Bytes("three"), first.Version, Token);

        Assert.True(recreated.Version > first.Version);
        Assert.Equal(WriteOutcome.VersionConflict, staleSwap.Outcome);
    }

    [SkippableFact]
    public async Task AppendAudit_ManyRecords_SequencesFromOneWithoutGapsPagedOldestFirst()
    {
        var (store, leader) = await OpenLeaderAsync();
        var sequences = new List<long>();
        for (var i = 1; i <= 12; i++)
        {
            sequences.Add(await store.AppendAuditAsync(leader, Bytes($"record {i}"), Token));
        }

        var first = await store.ReadAuditAsync(0, 5, Token);
        var middle = await store.ReadAuditAsync(5, 5, Token);
        var last = await store.ReadAuditAsync(10, 5, Token);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), sequences);
        Assert.Equal([1L, 2, 3, 4, 5], first.Entries.Select(e => e.Sequence));
        Assert.True(first.HasMore);
        Assert.Equal([6L, 7, 8, 9, 10], middle.Entries.Select(e => e.Sequence));
        Assert.Equal([11L, 12], last.Entries.Select(e => e.Sequence));
        Assert.False(last.HasMore);
        Assert.Equal("record 7", Text(middle.Entries[1].Payload));
        Assert.All(first.Entries, e => Assert.Equal(leader.Epoch, e.Epoch));
        Assert.All(first.Entries, e => Assert.InRange(e.RecordedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [SkippableFact]
    public async Task AppendAudit_AcrossLeaderChange_SequenceContinuesAndRecordsWriterEpoch()
    {
        var (first, firstLeader) = await OpenLeaderAsync("c1");
        await first.AppendAuditAsync(firstLeader, Bytes("by c1"), Token);
        await first.ResignAsync(firstLeader, Token);
        var (second, secondLeader) = await OpenLeaderAsync("c2");

        var sequence = await second.AppendAuditAsync(secondLeader, Bytes("by c2"), Token);

        Assert.Equal(2, sequence);
        var page = await second.ReadAuditAsync(0, 10, Token);
        Assert.Equal([firstLeader.Epoch, secondLeader.Epoch], page.Entries.Select(e => e.Epoch));
    }

    [SkippableFact]
    public async Task Commit_PutsDeletesAndAudit_AllApplyTogetherAtOneRevision()
    {
        var (store, leader) = await OpenLeaderAsync();
        var a = await store.PutAsync(leader, "vms/a", Bytes("a1"), null, Token);
        await store.PutAsync(leader, "vms/b", Bytes("b1"), null, Token);

        var result = await store.CommitAsync(
            leader,
            [DocumentWrite.Put("vms/a", Bytes("a2"), a.Version), DocumentWrite.Delete("vms/b"), DocumentWrite.Put("vms/c", Bytes("c1"), 0)],
            Bytes("moved a, dropped b, created c"),
            Token);

        Assert.True(result.Committed);
        Assert.Empty(result.Conflicts);
        Assert.Equal(1, result.AuditSequence);
        Assert.Equal(result.Revision, (await store.GetAsync("vms/a", Token))!.Version);
        Assert.Equal(result.Revision, (await store.GetAsync("vms/c", Token))!.Version);
        Assert.Equal("a2", Text((await store.GetAsync("vms/a", Token))!.Value));
        Assert.Null(await store.GetAsync("vms/b", Token));
        Assert.Equal("moved a, dropped b, created c", Text(Assert.Single((await store.ReadAuditAsync(0, 10, Token)).Entries).Payload));
        Assert.Equal(2, await store.AppendAuditAsync(leader, Bytes("next"), Token));
    }

    [SkippableFact]
    public async Task Commit_OneStaleExpectedVersion_AppliesNothingAndNamesTheConflict()
    {
        var (store, leader) = await OpenLeaderAsync();
        var a1 = await store.PutAsync(leader, "vms/a", Bytes("a1"), null, Token);
        var a2 = await store.PutAsync(leader, "vms/a", Bytes("a2"), null, Token);
        var b = await store.PutAsync(leader, "vms/b", Bytes("b1"), null, Token);

        var result = await store.CommitAsync(
            leader,
            [DocumentWrite.Put("vms/a", Bytes("a3"), a1.Version), DocumentWrite.Delete("vms/b", b.Version), DocumentWrite.Put("vms/c", Bytes("c1"))],
            Bytes("must not appear"),
            Token);

        Assert.False(result.Committed);
        Assert.Null(result.AuditSequence);
        Assert.Equal([new VersionConflict("vms/a", a2.Version)], result.Conflicts);
        Assert.Equal("a2", Text((await store.GetAsync("vms/a", Token))!.Value));
        Assert.Equal(b.Version, (await store.GetAsync("vms/b", Token))!.Version);
        Assert.Null(await store.GetAsync("vms/c", Token));
        Assert.Empty((await store.ReadAuditAsync(0, 10, Token)).Entries);
    }

    [SkippableFact]
    public async Task Commit_DuplicateKeysTooManyWritesOrNothing_ThrowsArgumentExceptionAndWritesNothing()
    {
        var (store, leader) = await OpenLeaderAsync();
        var tooMany = Enumerable.Range(0, StoreLimits.MaxBatchWrites + 1).Select(i => DocumentWrite.Put($"vms/{i}", Bytes("x"))).ToList();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CommitAsync(leader, [DocumentWrite.Put("vms/a", Bytes("1")), DocumentWrite.Delete("vms/a")], null, Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CommitAsync(leader, tooMany, null, Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CommitAsync(leader, [], null, Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.CommitAsync(leader, [DocumentWrite.Put("bad key", Bytes("x"))], null, Token));

        Assert.Empty((await store.ListAsync("", null, 100, Token)).Documents);
        var atLimit = await store.CommitAsync(leader, tooMany[..StoreLimits.MaxBatchWrites], Bytes("fifty"), Token);
        Assert.True(atLimit.Committed);
        Assert.Equal(StoreLimits.MaxBatchWrites, (await store.ListAsync("vms/", null, 100, Token)).Documents.Count);
    }

    [SkippableFact]
    public async Task TryAcquire_WhileAnotherLeads_ReturnsNullAndReportsTheLeader()
    {
        var (_, leader) = await OpenLeaderAsync("c1");
        var other = await OpenAsync("c2");

        var attempt = await other.TryAcquireLeadershipAsync(Token);
        var seen = await other.GetLeaderAsync(Token);

        Assert.Null(attempt);
        Assert.Null(other.CurrentLeadership);
        Assert.Equal(new LeaderInfo("c1", leader.Epoch), seen);
    }

    [SkippableFact]
    public async Task Epoch_AcrossLeaderChanges_StrictlyIncreases()
    {
        var c1 = await OpenAsync("c1");
        var c2 = await OpenAsync("c2");
        var epochs = new List<long>();

        foreach (var store in new[] { c1, c2, c1, c2 })
        {
            var leadership = await store.TryAcquireLeadershipAsync(Token);
            Assert.NotNull(leadership);
            epochs.Add(leadership.Epoch);
            await store.ResignAsync(leadership, Token);
            Assert.True(leadership.IsLost);
            Assert.Equal(LeadershipLossReason.Resigned, leadership.LossReason);
        }

        Assert.True(epochs[0] > 0);
        Assert.Equal(epochs.Order(), epochs);
        Assert.Equal(epochs.Count, epochs.Distinct().Count());
        Assert.Null(await c1.GetLeaderAsync(Token));
    }

    [SkippableFact]
    public async Task Write_UnderResignedLeadershipWhileAnotherLeads_ThrowsNotLeaderAndChangesNothing()
    {
        var (c2, oldLeadership) = await OpenLeaderAsync("c2");
        await c2.ResignAsync(oldLeadership, Token);
        var (c1, leader) = await OpenLeaderAsync("c1");
        var kept = await c1.PutAsync(leader, "vms/a", Bytes("by the leader"), null, Token);

        await Assert.ThrowsAsync<NotLeaderException>(() => c2.PutAsync(oldLeadership, "vms/a", Bytes("by c2"), null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => c2.PutAsync(oldLeadership, "vms/b", Bytes("by c2"), null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => c2.DeleteAsync(oldLeadership, "vms/a", null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => c2.AppendAuditAsync(oldLeadership, Bytes("by c2"), Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => c2.PutAsync(Unaware(oldLeadership), "vms/a", Bytes("by c2"), null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => c2.PutAsync(Unaware(oldLeadership), "vms/b", Bytes("by c2"), null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => c2.DeleteAsync(Unaware(oldLeadership), "vms/a", null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => c2.AppendAuditAsync(Unaware(oldLeadership), Bytes("by c2"), Token));

        var document = await c2.GetAsync("vms/a", Token);
        Assert.Equal("by the leader", Text(document!.Value));
        Assert.Equal(kept.Version, document.Version);
        Assert.Null(await c2.GetAsync("vms/b", Token));
        Assert.Empty((await c2.ReadAuditAsync(0, 10, Token)).Entries);
    }

    [SkippableFact]
    public async Task StaleLeader_LeaseLapsedAndAnotherTookOver_CannotWriteAndStateIsUnchanged()
    {
        var (old, oldLeadership) = await OpenLeaderAsync("c1");
        var before = await old.PutAsync(oldLeadership, "vms/a", Bytes("before"), null, Token);
        await old.AppendAuditAsync(oldLeadership, Bytes("before"), Token);
        var successor = await OpenAsync("c2");

        StopRenewing(old);
        var newLeadership = await successor.CampaignAsync(Token);

        Assert.True(newLeadership.Epoch > oldLeadership.Epoch);
        Assert.True(oldLeadership.IsLost, "the frozen leader's Lost token must have fired before anyone else could lead");
        await Assert.ThrowsAsync<NotLeaderException>(() => old.PutAsync(oldLeadership, "vms/a", Bytes("stale"), null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => old.PutAsync(oldLeadership, "vms/a", Bytes("stale"), before.Version, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => old.DeleteAsync(oldLeadership, "vms/a", null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => old.AppendAuditAsync(oldLeadership, Bytes("stale"), Token));
        // The store itself refuses, not only the old leader's own timer: a copy that believes it still leads.
        await Assert.ThrowsAsync<NotLeaderException>(() => old.PutAsync(Unaware(oldLeadership), "vms/a", Bytes("stale"), null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => old.PutAsync(Unaware(oldLeadership), "vms/new", Bytes("stale"), 0, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => old.DeleteAsync(Unaware(oldLeadership), "vms/a", null, Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => old.AppendAuditAsync(Unaware(oldLeadership), Bytes("stale"), Token));
        await Assert.ThrowsAsync<NotLeaderException>(() => old.CommitAsync(Unaware(oldLeadership), [DocumentWrite.Put("vms/new", Bytes("stale"))], Bytes("stale"), Token));
        Assert.Null(await successor.GetAsync("vms/new", Token));
        var document = await successor.GetAsync("vms/a", Token);
        Assert.Equal("before", Text(document!.Value));
        Assert.Equal(before.Version, document.Version);
        Assert.Single((await successor.ReadAuditAsync(0, 10, Token)).Entries);
        Assert.Equal(2, await successor.AppendAuditAsync(newLeadership, Bytes("after"), Token));
    }

    [SkippableFact]
    public async Task Write_WithLeadershipOfAnotherStoreInstance_IsRejected()
    {
        var (_, leader) = await OpenLeaderAsync("c1");
        var other = await OpenAsync("c1");

        await Assert.ThrowsAsync<ArgumentException>(() => other.PutAsync(leader, "vms/a", Bytes("x"), null, Token));
        Assert.Null(await other.GetAsync("vms/a", Token));
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("ünicode")]
    public async Task Put_BadKey_ThrowsArgumentExceptionAndWritesNothing(string key)
    {
        var (store, leader) = await OpenLeaderAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(leader, key, Bytes("x"), null, Token));

        Assert.Empty((await store.ListAsync("", null, 10, Token)).Documents);
    }

    [SkippableFact]
    public async Task Put_KeyTooLongOrValueTooLarge_ThrowsArgumentExceptionAndWritesNothing()
    {
        var (store, leader) = await OpenLeaderAsync();
        var longKey = new string('k', StoreLimits.MaxKeyLength + 1);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(leader, longKey, Bytes("x"), null, Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(leader, "vms/a", new byte[StoreLimits.MaxValueBytes + 1], null, Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AppendAuditAsync(leader, new byte[StoreLimits.MaxValueBytes + 1], Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(leader, "vms/a", Bytes("x"), -1, Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync("vms/", "hosts/a", 10, Token));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync("vms/", null, 0, Token));

        Assert.Empty((await store.ListAsync("", null, 10, Token)).Documents);
        Assert.Empty((await store.ReadAuditAsync(0, 10, Token)).Entries);
        var atLimit = await store.PutAsync(leader, new string('k', StoreLimits.MaxKeyLength), new byte[StoreLimits.MaxValueBytes], null, Token);
        Assert.Equal(WriteOutcome.Written, atLimit.Outcome);
    }
}
