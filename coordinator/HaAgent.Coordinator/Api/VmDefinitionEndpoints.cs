using System.Security.Cryptography;
using System.Text.Json;
using HaAgent.Coordinator.Api.Contracts;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /v1/vms/{id}/definition: the libvirt domain XML a restart sends to the target host, stored raw at
/// <c>vmdefs/&lt;id&gt;</c> (the engine also writes it from agents' reports). The VM must exist. The audit record
/// holds the XML's SHA-256, size and UUID, not the XML: definitions can be large and may hold secrets (VNC passwords).
/// </summary>
internal static class VmDefinitionEndpoints
{
    public const string XmlContentType = "application/xml";

    public static void Map(RouteGroupBuilder v1)
    {
        var vms = v1.MapGroup("/vms").WithTags("vms");
        vms.MapGet("/{id}/definition", GetAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<string>(contentType: XmlContentType);
        vms.MapPut("/{id}/definition", PutAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<string>(XmlContentType, "text/xml")
            .Produces<VmDefinitionResponse>().Produces<VmDefinitionResponse>(StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string id, ApiStore store)
    {
        if (EndpointSupport.CheckId(id) is { } problem)
        {
            return problem;
        }
        var stored = await store.Store.GetAsync(ApiStore.VmDefinitionsPrefix + id, context.RequestAborted);
        if (stored is null)
        {
            return ApiProblems.NotFound($"a definition of VM '{id}'");
        }
        EndpointSupport.SetETag(context.Response, stored.Version);
        return Results.Bytes(stored.Value, XmlContentType);
    }

    private static async Task<IResult> PutAsync(HttpContext context, string id, ApiStore store)
    {
        if (EndpointSupport.CheckId(id) is { } badId)
        {
            return badId;
        }
        if (EndpointSupport.ReadIfMatch(context.Request, out var ifMatch) is { } badIfMatch)
        {
            return badIfMatch;
        }
        var (xml, problem) = await RequestBody.ReadRawAsync(context.Request, ApiValidation.MaxDefinitionBytes, XmlContentType, "text/xml");
        if (problem is not null)
        {
            return problem;
        }
        if (DomainXml.Check(xml!, id, out var uuid) is { } invalid)
        {
            return ApiProblems.Field(invalid.Field, invalid.Message);
        }
        if (await store.Store.GetAsync(ApiStore.VmsPrefix + id, context.RequestAborted) is null)
        {
            return ApiProblems.NotFound($"VM '{id}'");
        }
        var key = ApiStore.VmDefinitionsPrefix + id;
        var current = await store.Store.GetAsync(key, context.RequestAborted);
        var currentVersion = current?.Version ?? 0;
        if (ifMatch is { } expected && expected != currentVersion)
        {
            return EndpointSupport.VersionMismatch(key, expected, currentVersion);
        }
        var digest = new DefinitionDigest(Sha256(xml!), xml!.Length, uuid);
        var before = current is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(
            new DefinitionDigest(Sha256(current.Value.Span), current.Value.Length, null), ApiJsonContext.Default.DefinitionDigest);
        var after = JsonSerializer.SerializeToElement(digest, ApiJsonContext.Default.DefinitionDigest);
        var (version, conflict) = await store.CommitAsync(context.User, "vm.definition", key, xml, currentVersion, before, after, context.RequestAborted);
        if (conflict is not null)
        {
            return conflict;
        }
        EndpointSupport.SetETag(context.Response, version);
        var answer = new VmDefinitionResponse(id, uuid!, digest.Sha256, digest.Bytes, version);
        return current is null
            ? Results.Created($"/v1/vms/{id}/definition", answer)
            : Results.Json(answer, ApiJsonContext.Default.VmDefinitionResponse);
    }

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
