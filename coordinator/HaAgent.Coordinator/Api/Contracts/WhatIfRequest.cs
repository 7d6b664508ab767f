namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Either <see cref="Hosts"/> fail, or every host whose <see cref="Level"/> label is <see cref="Label"/>.</summary>
internal sealed record WhatIfRequest(IReadOnlyList<string?>? Hosts, string? Level, string? Label);
