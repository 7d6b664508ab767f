using Microsoft.Extensions.DependencyInjection;

namespace HaAgent.Agent;

/// <summary>The agent's capabilities, registered in one place.</summary>
internal static class AgentServices
{
    internal static void Add(IServiceCollection services)
    {
    }
}
