using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Agents.Tls;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Hosting;
using HaAgent.Coordinator.Store;

var builder = WebApplication.CreateBuilder(args);
// READY=1 once listening and STOPPING=1 on shutdown when systemd started us (Type=notify); a no-op otherwise.
builder.Services.AddSystemdNotify();
builder.Services.AddCoordinatorStore(builder.Configuration);
builder.Services.AddCoordinatorApi(builder.Configuration);
builder.Services.AddCoordinatorEngine(builder.Configuration);
builder.Services.AddAgentEndpoint(builder.Configuration);
// Tls:CertificateFile/KeyFile: the certificate of every https:// URL (agent endpoint and API), reloaded on change.
builder.Services.AddCoordinatorTls(builder.Configuration);
var app = builder.Build();
app.MapCoordinatorApi();
app.MapAgentEndpoint();
try
{
    await app.RunAsync().ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    // Start is only ever cancelled by a stop request (SIGTERM while Kestrel was still binding): not a crash. The host
    // was disposed (so the store resigned), exit 0 like any other graceful stop.
}
