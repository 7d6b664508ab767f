using System.Net;

namespace HaAgent.Ctl.Checks;

/// <summary>The coordinator answered, but not with 200.</summary>
internal sealed class ApiStatusException(string path, HttpStatusCode status)
    : Exception($"GET {path} answered {(int)status} {status}")
{
    public HttpStatusCode Status { get; } = status;

    public bool IsAuthFailure => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}
