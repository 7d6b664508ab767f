namespace HaAgent.Coordinator.Api;

/// <summary>One bearer token: its name (recorded in the audit log as the actor), the secret, and its role.</summary>
internal sealed class ApiTokenOptions
{
    /// <summary>Short secrets can be guessed; 16 characters is the floor, a random 32+ is what an operator should use.</summary>
    public const int MinTokenLength = 16;

    public string Name { get; set; } = "";

    public string Token { get; set; } = "";

    /// <summary>viewer, operator or admin.</summary>
    public string Role { get; set; } = ApiRoles.Viewer;
}
