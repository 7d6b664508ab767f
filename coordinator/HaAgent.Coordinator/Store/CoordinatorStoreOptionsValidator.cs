using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Store;

/// <summary>Stops the process at start with a message naming the bad Store key.</summary>
internal sealed class CoordinatorStoreOptionsValidator : IValidateOptions<CoordinatorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, CoordinatorStoreOptions options) =>
        options.Validate() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
