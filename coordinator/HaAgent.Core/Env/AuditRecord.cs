namespace HaAgent.Core.Env;

/// <summary>One decision and the evidence it rested on.</summary>
/// <param name="Subject">The host or VM the decision is about ("host h2", "vm web1", "cluster").</param>
/// <param name="Decision">What was decided ("status change healthy => suspect").</param>
/// <param name="Evidence">Why: the observations that justified it.</param>
public sealed record AuditRecord(DateTimeOffset Time, AuditKind Kind, string Subject, string Decision, string Evidence);
