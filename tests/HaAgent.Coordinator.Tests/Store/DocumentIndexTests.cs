using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Tests.Store;

/// <summary>The read cache's sorted index against a plain sorted model: same gets, same pages, across chunk splits and merges.</summary>
public sealed class DocumentIndexTests
{
    [Theory]
    [InlineData(20261126, 3000)]
    [InlineData(7, 20000)]
    public void RandomPutsDeletesAndPages_MatchASortedModel(int seed, int operations)
    {
        var random = new Random(seed);
        var index = new DocumentIndex();
        var model = new SortedDictionary<string, StoredDocument>(StringComparer.Ordinal);
        // Bulk-load a sorted start, as a (re)load does.
        foreach (var key in Enumerable.Range(0, 1500).Select(i => $"vms/{i * 7:D6}"))
        {
            var document = Doc(key, 1);
            index.Append(document);
            model[key] = document;
        }
        var prefixes = new[] { "hosts/", "rules/", "vms/", "vms/00", "vms/01" };
        for (var i = 0; i < operations; i++)
        {
            var key = $"{prefixes[random.Next(3)]}{random.Next(12000):D6}";
            switch (random.Next(10))
            {
                case < 5:
                    var document = Doc(key, i + 2);
                    index.Apply([(key, document)]);
                    model[key] = document;
                    break;
                case < 8:
                    index.Apply([(key, null)]);
                    model.Remove(key);
                    break;
                case 8:
                    Assert.Same(model.GetValueOrDefault(key), index.Get(key));
                    break;
                default:
                    var prefix = prefixes[random.Next(prefixes.Length)];
                    var after = random.Next(3) == 0 ? null : $"{prefix}{random.Next(12000):D6}";
                    var limit = 1 + random.Next(random.Next(2) == 0 ? 10 : 1000);
                    var expected = model.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(k, after) > 0)).ToList();
                    var page = index.Page(prefix, after, limit);
                    Assert.Equal(expected.Take(limit), page.Documents.Select(d => d.Key));
                    Assert.Equal(expected.Count > limit ? expected[limit - 1] : null, page.NextStartAfter);
                    break;
            }
        }
        Assert.Equal(model.Count, index.Count);
        Assert.Equal(model.Values.Sum(DocumentIndex.SizeOf), index.EstimatedBytes);
        // Walk everything page by page.
        var walked = new List<string>();
        string? next = null;
        do
        {
            var page = index.Page("", next, 333);
            walked.AddRange(page.Documents.Select(d => d.Key));
            next = page.NextStartAfter;
        }
        while (next is not null);
        Assert.Equal(model.Keys, walked);
    }

    [Fact]
    public void Append_OutOfOrder_Throws()
    {
        var index = new DocumentIndex();
        index.Append(Doc("vms/b", 1));
        Assert.Throws<ArgumentException>(() => index.Append(Doc("vms/a", 2)));
        Assert.Throws<ArgumentException>(() => index.Append(Doc("vms/b", 2)));
    }

    [Fact]
    public void Empty_GetAndPage_AnswerNothing()
    {
        var index = new DocumentIndex();
        Assert.Null(index.Get("vms/a"));
        Assert.Empty(index.Page("vms/", null, 10).Documents);
        index.Apply([("vms/a", Doc("vms/a", 3)), ("vms/a", null)]);
        Assert.Equal(0, index.Count);
        Assert.Null(index.Page("vms/", "vms/0", 10).NextStartAfter);
    }

    private static StoredDocument Doc(string key, long version) => new(key, System.Text.Encoding.UTF8.GetBytes($$"""{"id":"{{key}}","v":{{version}}}"""), version);
}
