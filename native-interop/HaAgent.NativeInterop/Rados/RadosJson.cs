using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// Mon command JSON, written with Utf8JsonWriter and read with Utf8JsonReader: no reflection, so it trims and AOT-compiles.
/// </summary>
internal static class RadosJson
{
    internal static string Command(string prefix, params ReadOnlySpan<(string Name, string Value)> arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("prefix", prefix);
            foreach (var (name, value) in arguments)
            {
                writer.WriteString(name, value);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A top-level unsigned property, e.g. "pg_num" of "osd pool get POOL pg_num".</summary>
    internal static uint ReadUInt32Property(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match)
            {
                return reader.GetUInt32();
            }
            reader.Skip();
        }
        throw new FormatException($"mon JSON has no \"{Encoding.UTF8.GetString(name)}\"");
    }

    /// <summary>The "epoch" of "osd stat" or "osd dump" JSON output.</summary>
    internal static uint ReadEpoch(ReadOnlySpan<byte> json) => ReadOsdDump(json, blocklist: null);

    /// <summary>Reads "osd dump" JSON: returns its epoch and fills <paramref name="blocklist"/> with its address entries.</summary>
    internal static uint ReadOsdDump(ReadOnlySpan<byte> json, Dictionary<string, DateTimeOffset>? blocklist)
    {
        var reader = new Utf8JsonReader(json);
        uint? epoch = null;
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("epoch"u8))
            {
                reader.Read();
                epoch = reader.GetUInt32();
            }
            else if (blocklist is not null && reader.ValueTextEquals("blocklist"u8))
            {
                Expect(ref reader, JsonTokenType.StartObject);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var address = reader.GetString()!;
                    reader.Read();
                    blocklist[address] = ParseCephTime(reader.GetString());
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return epoch ?? throw new FormatException("osdmap JSON has no \"epoch\"");
    }

    /// <summary>
    /// Reads "osd blocklist ls" JSON. Pacific prints two concatenated arrays, address entries
    /// (<c>{"addr","until"}</c>) then range entries (<c>{"range","until"}</c>); older mons print only the first.
    /// </summary>
    internal static List<RadosBlocklistEntry> ReadBlocklist(ReadOnlySpan<byte> json)
    {
        var entries = new List<RadosBlocklistEntry>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new FormatException($"blocklist JSON: expected an array, found {reader.TokenType}");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? target = null;
                var isRange = false;
                DateTimeOffset until = default;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("addr"u8) || reader.ValueTextEquals("range"u8))
                    {
                        isRange = reader.ValueTextEquals("range"u8);
                        reader.Read();
                        target = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("until"u8))
                    {
                        reader.Read();
                        until = ParseCephTime(reader.GetString());
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
                if (target is null)
                {
                    throw new FormatException("blocklist JSON: entry without \"addr\" or \"range\"");
                }
                entries.Add(new RadosBlocklistEntry(
                    target, isRange ? null : RadosClientAddress.TryParse(target, out var address) ? address : null, isRange, until));
            }
        }
        return entries;
    }

    /// <summary>Ceph prints utime_t as "2026-11-25T21:33:46.972796+0000": an offset without the colon .NET expects.</summary>
    internal static DateTimeOffset ParseCephTime(string? text)
    {
        if (text is null)
        {
            throw new FormatException("missing time");
        }
        var normalized = text.Length > 5 && text[^5] is '+' or '-' && text[^3] != ':' ? text.Insert(text.Length - 2, ":") : text;
        return DateTimeOffset.Parse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new FormatException($"mon JSON: expected {type}, found {reader.TokenType}");
        }
    }
}
