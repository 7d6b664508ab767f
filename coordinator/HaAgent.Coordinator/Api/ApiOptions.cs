namespace HaAgent.Coordinator.Api;

/// <summary>The REST API: who may call it and how much it accepts. Section <c>Api</c>.</summary>
internal sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Read-only calls (GET, what-if, metrics) need no token, for monitoring systems; writes always need one.</summary>
    public bool OpenReads { get; set; }

    /// <summary>Largest request body accepted; larger ones get 413 before they are parsed.</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Bearer tokens. Only their SHA-256 hashes are kept once the options are loaded.</summary>
    public List<ApiTokenOptions> Tokens { get; set; } = [];

    /// <summary>The first problem, naming its configuration key, or null when the options are usable.</summary>
    public string? Validate()
    {
        if (MaxRequestBodyBytes is < 1024 or > 1024 * 1024)
        {
            return $"{Section}:{nameof(MaxRequestBodyBytes)} must be between 1024 and 1048576";
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Tokens.Count; i++)
        {
            var token = Tokens[i];
            var key = $"{Section}:{nameof(Tokens)}:{i}";
            if (string.IsNullOrWhiteSpace(token.Name) || !ApiValidation.IsId(token.Name))
            {
                return $"{key}:{nameof(ApiTokenOptions.Name)} must be a name of letters, digits, '.', '_' or '-'";
            }
            if (!names.Add(token.Name))
            {
                return $"{key}:{nameof(ApiTokenOptions.Name)} '{token.Name}' is used twice";
            }
            if (token.Token is null || token.Token.Length < ApiTokenOptions.MinTokenLength)
            {
                return $"{key}:{nameof(ApiTokenOptions.Token)} must hold at least {ApiTokenOptions.MinTokenLength} characters";
            }
            if (!ApiRoles.IsKnown(token.Role))
            {
                return $"{key}:{nameof(ApiTokenOptions.Role)} must be viewer, operator or admin";
            }
        }
        return null;
    }
}
