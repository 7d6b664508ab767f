using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents.Tls;

/// <summary>Kestrel's HTTPS defaults from <see cref="TlsOptions"/>: the certificate (with its intermediates) of <see cref="TlsCertificateSource"/>, looked up per handshake.</summary>
internal sealed class KestrelTlsSetup(IOptions<TlsOptions> options, TlsCertificateSource certificates) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (!options.Value.Enabled)
        {
            return;
        }
        kestrel.ConfigureHttpsDefaults(https =>
        {
            // Kestrel insists on a certificate (or a selector) when the endpoint is built; the handshake itself uses
            // the context set below, which carries the intermediates and follows a renewed file.
            https.ServerCertificate = certificates.Current.Leaf;
            https.OnAuthenticate = (_, ssl) =>
            {
                ssl.ServerCertificate = null;
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificateContext = certificates.Current.Context;
            };
        });
    }
}
