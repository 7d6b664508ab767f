using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// "Authorization: Bearer &lt;token&gt;" against <see cref="TokenRegistry"/>. The principal carries the token's name
/// (never the secret) and its role, expanded so that role checks need no hierarchy logic.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenRegistry tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization;
        if (header.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var value = header.Count == 1 ? header[0] : null;
        const string Prefix = "Bearer ";
        if (value is null || !value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length == Prefix.Length)
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed Authorization header"));
        }
        if (tokens.Find(value.AsSpan(Prefix.Length).Trim()) is not { } found)
        {
            // Deliberately says nothing about the presented value: it may be a secret pasted in the wrong place.
            return Task.FromResult(AuthenticateResult.Fail("unknown token"));
        }
        var claims = new List<Claim> { new(ClaimTypes.Name, found.Name), new(ApiClaims.Role, found.Role) };
        foreach (var granted in ImpliedRoles(found.Role))
        {
            claims.Add(new Claim(ClaimTypes.Role, granted));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private static string[] ImpliedRoles(string role) => role switch
    {
        ApiRoles.Admin => [ApiRoles.Admin, ApiRoles.Operator, ApiRoles.Viewer],
        ApiRoles.Operator => [ApiRoles.Operator, ApiRoles.Viewer],
        _ => [ApiRoles.Viewer],
    };
}
