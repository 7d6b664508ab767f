using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>RFC 7807 answers; texts never echo request content beyond ids that already passed validation.</summary>
internal static class ApiProblems
{
    public static IResult Field(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static IResult Fields(Dictionary<string, string[]> errors) => Results.ValidationProblem(errors);

    public static IResult NotFound(string what) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{what} does not exist");

    public static IResult Conflict(string detail, long currentVersion) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Conflict",
        detail: detail,
        extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["currentVersion"] = currentVersion });

    public static IResult NotLeader(LeaderInfo? leader) => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Not the leader",
        detail: leader is null
            ? "this coordinator does not lead and no leader is known; retry shortly"
            : $"this coordinator does not lead; send writes to '{leader.InstanceId}'",
        extensions: new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["leader"] = leader?.InstanceId,
            ["epoch"] = leader?.Epoch,
        });

    public static IResult StoreUnavailable() => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Store unavailable",
        detail: "the coordinator store did not answer; a write may or may not have applied, re-read before retrying");

    public static IResult Status(int statusCode, string title, string detail) =>
        Results.Problem(statusCode: statusCode, title: title, detail: detail);
}
