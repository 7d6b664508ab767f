using System.Globalization;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// Query of /v1/audit and /v1/fences: after (sequence), limit, kind (repeatable or comma-separated; API actions
/// such as host.update or core kinds such as fence-verified), and one of subject / host / vm.
/// </summary>
internal sealed class AuditFilter
{
    public const int MaxKinds = 16;
    public const int MaxSubjectLength = 140;

    public long After { get; private init; }

    public int Limit { get; private init; } = ApiValidation.DefaultPageSize;

    public IReadOnlySet<string>? Kinds { get; private init; }

    /// <summary>Normalised like <see cref="AuditRecords.NormalizeSubject"/>.</summary>
    public string? Subject { get; private init; }

    public bool IsFiltered => Kinds is not null || Subject is not null;

    public bool Matches(AuditRecordView record) =>
        (Kinds is null || (record.Kind is { } kind && Kinds.Contains(kind)))
        && (Subject is null || string.Equals(record.Subject, Subject, StringComparison.Ordinal));

    /// <summary>The filter, or the problem naming the bad query parameter. <paramref name="allowKinds"/> false refuses <c>kind</c>.</summary>
    public static IResult? TryRead(IQueryCollection query, bool allowKinds, bool allowVm, out AuditFilter filter)
    {
        filter = new AuditFilter();
        var limit = ApiValidation.DefaultPageSize;
        long after = 0;
        if (query["limit"] is { Count: > 0 } limitText
            && (limitText.Count > 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > ApiValidation.MaxPageSize))
        {
            return ApiProblems.Field("limit", $"must be a whole number from 1 to {ApiValidation.MaxPageSize}");
        }
        if (query["after"] is { Count: > 0 } afterText
            && (afterText.Count > 1 || !long.TryParse(afterText[0], NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return ApiProblems.Field("after", "must be an audit sequence number (0 or more)");
        }

        HashSet<string>? kinds = null;
        if (query["kind"] is { Count: > 0 } kindTexts)
        {
            if (!allowKinds)
            {
                return ApiProblems.Field("kind", "is not a filter of this listing");
            }
            kinds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var text in kindTexts)
            {
                foreach (var kind in (text ?? "").Split(',', StringSplitOptions.TrimEntries))
                {
                    if (!IsKind(kind))
                    {
                        return ApiProblems.Field("kind", "each kind must be 1-64 characters of letters, digits, '.', '_' or '-' (e.g. fence-verified, host.update)");
                    }
                    kinds.Add(AuditRecords.NormalizeKind(kind));
                }
            }
            if (kinds.Count > MaxKinds)
            {
                return ApiProblems.Field("kind", $"at most {MaxKinds} kinds");
            }
        }

        string? subject = null;
        string? subjectField = null;
        foreach (var (field, prefix) in new[] { ("subject", ""), ("host", "host/"), ("vm", "vm/") })
        {
            if (query[field] is not { Count: > 0 } values)
            {
                continue;
            }
            if (field == "vm" && !allowVm)
            {
                return ApiProblems.Field("vm", "is not a filter of this listing");
            }
            if (subjectField is not null)
            {
                return ApiProblems.Field(field, $"give only one of subject, host and vm (already filtering by {subjectField})");
            }
            var value = values.Count == 1 ? values[0] : null;
            var valid = field == "subject" ? IsSubject(value) : ApiValidation.IsId(value);
            if (!valid)
            {
                return ApiProblems.Field(field, field == "subject"
                    ? "must be 1-140 printable ASCII characters, e.g. host/h2, vm/web1, rule/r1 or cluster"
                    : ApiValidation.IdRule);
            }
            subject = AuditRecords.NormalizeSubject(prefix + value);
            subjectField = field;
        }
        filter = new AuditFilter { After = after, Limit = limit, Kinds = kinds, Subject = subject };
        return null;
    }

    private static bool IsKind(string kind)
    {
        if (kind.Length is 0 or > ApiValidation.MaxIdLength)
        {
            return false;
        }
        foreach (var c in kind)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsSubject(string? subject)
    {
        if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength)
        {
            return false;
        }
        foreach (var c in subject)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }
        return true;
    }
}
