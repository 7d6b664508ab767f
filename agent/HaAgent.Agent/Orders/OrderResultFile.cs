using System.Text.Json;
using HaAgent.Protocol.Gate;
using HaAgent.Protocol.Messages;

namespace HaAgent.Agent.Orders;

/// <summary>
/// The results the gate remembers (by result id), so a redelivered finished order is answered with the same outcome
/// and evidence instead of acting twice (<c>state.results.json</c>, newest <see cref="OrderGate.MaxRememberedResults"/>).
/// A corrupt file is treated like a corrupt gate file.
/// </summary>
internal sealed class OrderResultFile
{
    private readonly Dictionary<string, OrderResultMessage> _results = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public OrderResultFile(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static string BesideStateFile(string stateFile) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(stateFile)) ?? ".",
            System.IO.Path.GetFileNameWithoutExtension(stateFile) + ".results.json");

    public bool TryLoad(out string? problem)
    {
        problem = null;
        try
        {
            if (!File.Exists(Path))
            {
                return true;
            }
            var stored = JsonSerializer.Deserialize(File.ReadAllBytes(Path), OrdersJsonContext.Default.StoredResultArray);
            if (stored is null)
            {
                problem = $"order result file {Path} is empty JSON";
                return false;
            }
            foreach (var entry in stored)
            {
                Remember(entry.ResultId, entry.Result);
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            problem = $"order result file {Path} is unreadable: {e.Message}";
            return false;
        }
    }

    public bool TryGet(string resultId, out OrderResultMessage? result) => _results.TryGetValue(resultId, out result);

    /// <summary>Remembers and persists (fsync) one result.</summary>
    public void Add(string resultId, OrderResultMessage result)
    {
        Remember(resultId, result);
        var stored = _order.Select(id => new StoredResult(id, _results[id])).ToArray();
        DurableFile.Write(Path, JsonSerializer.SerializeToUtf8Bytes(stored, OrdersJsonContext.Default.StoredResultArray));
    }

    private void Remember(string resultId, OrderResultMessage result)
    {
        if (_results.TryAdd(resultId, result))
        {
            _order.Add(resultId);
        }
        else
        {
            _results[resultId] = result;
        }
        while (_order.Count > OrderGate.MaxRememberedResults)
        {
            _results.Remove(_order[0]);
            _order.RemoveAt(0);
        }
    }
}
