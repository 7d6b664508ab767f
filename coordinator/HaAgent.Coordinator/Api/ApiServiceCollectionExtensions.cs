using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

internal static class ApiServiceCollectionExtensions
{
    /// <summary>Options, token authentication, role policies, problem details, JSON and OpenAPI of the REST API.</summary>
    public static IServiceCollection AddCoordinatorApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddSingleton<TokenRegistry>();
        services.AddSingleton<ApiStore>();
        services.AddSingleton<ApiRequestCounter>();

        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<ApiOptions>>(static (authorization, api) =>
        {
            authorization.AddPolicy(ApiRoles.WritePolicy, static p => p.RequireAuthenticatedUser().RequireRole(ApiRoles.Operator));
            authorization.AddPolicy(ApiRoles.ReadPolicy, api.Value.OpenReads
                ? static p => p.RequireAssertion(static _ => true)
                : static p => p.RequireAuthenticatedUser().RequireRole(ApiRoles.Viewer));
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>(static (kestrel, api) =>
            kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes);

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(static o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddOpenApi();
        return services;
    }

    /// <summary>The middleware pipeline and every endpoint: /v1/*, /healthz, /readyz, /metrics, /openapi/v1.json.</summary>
    public static WebApplication MapCoordinatorApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var counter = app.Services.GetRequiredService<ApiRequestCounter>();
        app.Use((context, next) => counter.InvokeAsync(context, next));
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Unexpected exceptions are logged by the middleware and answered with a bare 500 problem (no exception text).
            StatusCodeSelector = static e => e switch
            {
                StoreUnavailableException => StatusCodes.Status503ServiceUnavailable,
                NotLeaderException => StatusCodes.Status503ServiceUnavailable,
                Microsoft.AspNetCore.Http.BadHttpRequestException bad => bad.StatusCode,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        var v1 = app.MapGroup("/v1");
        HostEndpoints.Map(v1);
        VmEndpoints.Map(v1);
        VmDefinitionEndpoints.Map(v1);
        GroupEndpoints.Map(v1);
        FenceEndpoints.Map(v1);
        RuleEndpoints.Map(v1);
        AuditEndpoints.Map(v1);
        WhatIfEndpoints.Map(v1);
        HealthEndpoints.Map(app);
        MetricsEndpoints.Map(app);
        app.MapOpenApi().AllowAnonymous();
        return app;
    }
}
