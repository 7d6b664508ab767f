using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents.Tls;

internal static class TlsServiceCollectionExtensions
{
    /// <summary>
    /// With <c>Tls:CertificateFile</c> set, every <c>https://</c> URL Kestrel binds (the <c>Urls</c> setting, or
    /// <c>ListenOptions.UseHttps()</c>) serves that certificate, reloaded when its files change. Validated at start
    /// (the certificate must load). Without it nothing changes. Register it before any <c>ConfigureKestrel</c>/<c>UseKestrel</c>
    /// callback that calls <c>ListenOptions.UseHttps()</c>: that call reads the HTTPS defaults as they are at that moment.
    /// </summary>
    public static IServiceCollection AddCoordinatorTls(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TlsOptions>().Bind(configuration.GetSection(TlsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
        services.AddSingleton<TlsCertificateSource>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelTlsSetup>();
        return services;
    }
}
