namespace HaAgent.Coordinator.Api.Contracts;

internal sealed record WhatIfRestart(string VmId, string HostId, string Why, IReadOnlyList<string> SoftRulesBroken);
