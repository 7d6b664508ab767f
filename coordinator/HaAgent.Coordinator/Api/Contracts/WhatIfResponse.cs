namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>What would restart where, and what would stay down and why, if the failure happened now.</summary>
internal sealed record WhatIfResponse(
    string Failure,
    IReadOnlyList<string> FailedHosts,
    IReadOnlyList<string> AffectedVms,
    IReadOnlyList<WhatIfRestart> Restarts,
    IReadOnlyList<WhatIfDown> StaysDown);
