using System.Diagnostics;

namespace HaAgent.Agent.Restart;

/// <summary>One execution of a start or stop order: what it is about, when it began, and its recorded steps.</summary>
internal sealed class VmOrderRun(string commandId, long token, string vmName, Guid vmUuid, DateTimeOffset startedAt)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public string CommandId { get; } = commandId;

    public long Token { get; } = token;

    public string VmName { get; } = vmName;

    public Guid VmUuid { get; } = vmUuid;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    public StepRecorder Steps { get; } = new();
}
