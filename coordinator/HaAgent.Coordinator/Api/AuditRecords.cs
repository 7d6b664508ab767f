using System.Text;
using System.Text.Json;
using HaAgent.Core.Env;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// Reads audit payloads written by the API (one mutation record: action, subject "hosts/h2", ...) and by the engine
/// (core <see cref="AuditRecord"/>s in camelCase: kind, subject "host h2", decision, evidence, time — one object, or
/// the records of one step as an array or as <c>{"records":[...]}</c>, since a step commits one audit entry).
/// </summary>
internal static class AuditRecords
{
    /// <summary>The core kinds that make up a host's fence history.</summary>
    public static readonly IReadOnlySet<string> FenceKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        Kebab(AuditKind.FenceOrdered),
        Kebab(AuditKind.FenceAttemptFailed),
        Kebab(AuditKind.FenceVerified),
        Kebab(AuditKind.CannotFence),
        Kebab(AuditKind.FenceNotNeeded),
        Kebab(AuditKind.SelfFenced),
    };

    private static readonly Dictionary<string, string> KindByLooseName = Enum.GetValues<AuditKind>()
        .ToDictionary(static k => Loose(k.ToString()), Kebab, StringComparer.Ordinal);

    /// <summary>The records of one entry; a payload that is not JSON is one record with neither kind nor subject.</summary>
    public static List<AuditRecordView> Read(ReadOnlyMemory<byte> payload)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(payload);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return [new AuditRecordView(null, null, JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(payload.Span), Contracts.ApiJsonContext.Default.String))];
        }
        var records = new List<AuditRecordView>(1);
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
            {
                records.Add(View(item));
            }
        }
        else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("records", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                records.Add(View(item));
            }
        }
        else
        {
            records.Add(View(root));
        }
        return records;
    }

    /// <summary>The whole payload as returned by /v1/audit: parsed JSON, or the text as a JSON string.</summary>
    public static JsonElement Parse(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(payload.Span), Contracts.ApiJsonContext.Default.String);
        }
    }

    /// <summary>"FenceVerified", "fence_verified", "fence-verified" → "fence-verified"; other kinds (API actions) lower-cased.</summary>
    public static string NormalizeKind(string kind) =>
        KindByLooseName.TryGetValue(Loose(kind), out var known) ? known : kind.ToLowerInvariant();

    /// <summary>"host h2", "host/h2", "hosts/h2", "host:h2" → "host/h2"; likewise vm (and vmdefs/ → vm) and rule.</summary>
    public static string NormalizeSubject(string subject)
    {
        var cut = subject.IndexOfAny([' ', '/', ':']);
        if (cut <= 0 || cut == subject.Length - 1)
        {
            return subject;
        }
        var type = subject[..cut] switch
        {
            "host" or "hosts" => "host",
            "vm" or "vms" or "vmdefs" => "vm",
            "rule" or "rules" => "rule",
            _ => null,
        };
        return type is null ? subject : type + "/" + subject[(cut + 1)..];
    }

    public static string Kebab(AuditKind kind)
    {
        var name = kind.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('-');
            }
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    private static AuditRecordView View(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return new AuditRecordView(null, null, record);
        }
        string? kind = null;
        if (record.TryGetProperty("kind", out var kindElement))
        {
            kind = kindElement.ValueKind switch
            {
                JsonValueKind.String => NormalizeKind(kindElement.GetString()!),
                JsonValueKind.Number when kindElement.TryGetInt32(out var number) && Enum.IsDefined((AuditKind)number) => Kebab((AuditKind)number),
                _ => null,
            };
        }
        else if (record.TryGetProperty("action", out var action) && action.ValueKind == JsonValueKind.String)
        {
            kind = NormalizeKind(action.GetString()!);
        }
        string? subject = null;
        if (record.TryGetProperty("subject", out var subjectElement) && subjectElement.ValueKind == JsonValueKind.String)
        {
            subject = NormalizeSubject(subjectElement.GetString()!);
        }
        return new AuditRecordView(kind, subject, record);
    }

    private static string Loose(string kind) => kind.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
