using HaAgent.Coordinator.Store;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCoordinatorStore(builder.Configuration);
var app = builder.Build();
await app.RunAsync().ConfigureAwait(false);
