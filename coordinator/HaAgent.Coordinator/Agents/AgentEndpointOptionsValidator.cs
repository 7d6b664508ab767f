using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents;

internal sealed class AgentEndpointOptionsValidator : IValidateOptions<AgentEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Validate() is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }
}
