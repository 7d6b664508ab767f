using Microsoft.Extensions.Options;

namespace HaAgent.Agent.Configuration;

/// <summary>Data-annotation checks, generated at compile time (no reflection: works in the NativeAOT binary).</summary>
[OptionsValidator]
internal sealed partial class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
}
