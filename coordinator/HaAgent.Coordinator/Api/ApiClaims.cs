namespace HaAgent.Coordinator.Api;

internal static class ApiClaims
{
    /// <summary>The role the token was configured with (the principal's role claims include the roles it implies).</summary>
    public const string Role = "haagent:role";
}
