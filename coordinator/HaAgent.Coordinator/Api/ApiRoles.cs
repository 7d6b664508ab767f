namespace HaAgent.Coordinator.Api;

/// <summary>Roles and the two authorization policies: each role includes the ones below it (admin ⊇ operator ⊇ viewer).</summary>
internal static class ApiRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public const string ReadPolicy = "read";
    public const string WritePolicy = "write";

    public static bool IsKnown(string? role) => role is Viewer or Operator or Admin;
}
