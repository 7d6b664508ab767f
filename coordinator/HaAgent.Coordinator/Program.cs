using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Store;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCoordinatorStore(builder.Configuration);
builder.Services.AddCoordinatorApi(builder.Configuration);
var app = builder.Build();
app.MapCoordinatorApi();
await app.RunAsync().ConfigureAwait(false);
