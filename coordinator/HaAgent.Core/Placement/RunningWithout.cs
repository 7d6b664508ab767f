using System.Diagnostics.CodeAnalysis;

namespace HaAgent.Core.Placement;

/// <summary>
/// The running map minus the VMs of failed hosts, as a view: a dry run over 200 000 VMs must not copy the map.
/// </summary>
internal sealed class RunningWithout(IReadOnlyDictionary<string, string> running, HashSet<string> removed)
    : IReadOnlyDictionary<string, string>
{
    public string this[string key] => TryGetValue(key, out var host) ? host : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys
    {
        get
        {
            foreach (var pair in this)
            {
                yield return pair.Key;
            }
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            foreach (var pair in this)
            {
                yield return pair.Value;
            }
        }
    }

    public int Count => running.Count - removed.Count;

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (removed.Contains(key))
        {
            value = null;
            return false;
        }
        return running.TryGetValue(key, out value);
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        foreach (var pair in running)
        {
            if (!removed.Contains(pair.Key))
            {
                yield return pair;
            }
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
