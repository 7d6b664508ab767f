namespace HaAgent.Coordinator.Api;

/// <summary>Input limits of the API, in one place; checked before anything reaches the store.</summary>
internal static class ApiValidation
{
    public const int MaxIdLength = 64;
    public const int MaxLabelLength = 64;
    public const int MaxVolumes = 32;
    public const int MaxVolumeLength = 256;
    public const int MaxRuleMembers = 1000;
    public const int MaxCpus = 100_000;

    /// <summary>1 PiB: larger is a typo, and it keeps sums over thousands of hosts far from overflow.</summary>
    public const long MaxMemoryMiB = 1L << 30;

    public const int MaxAbsPriority = 1_000_000;
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>A libvirt domain XML (TRANSPORT.md): far above real definitions (a few KiB), far below the store's 1 MiB value limit.</summary>
    public const int MaxDefinitionBytes = 256 * 1024;

    /// <summary>Ids of hosts, VMs, rules and tokens: letters, digits, '.', '_', '-', starting with a letter or digit; they become store keys.</summary>
    public static bool IsId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || !char.IsAsciiLetterOrDigit(id[0]))
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Failure-domain labels: printable ASCII without spaces, so they read well in logs and metrics.</summary>
    public static bool IsLabel(string? label)
    {
        if (string.IsNullOrEmpty(label) || label.Length > MaxLabelLength)
        {
            return false;
        }
        foreach (var c in label)
        {
            if (c is < '!' or > '~' or '"' or '\\')
            {
                return false;
            }
        }
        return true;
    }

    public const string IdRule = "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit";
    public const string LabelRule = "must be 1-64 printable ASCII characters without spaces, quotes or backslashes";
}
