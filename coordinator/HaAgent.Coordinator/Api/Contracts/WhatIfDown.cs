namespace HaAgent.Coordinator.Api.Contracts;

internal sealed record WhatIfDown(string VmId, string Reason);
