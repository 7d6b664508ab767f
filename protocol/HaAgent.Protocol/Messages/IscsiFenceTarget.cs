namespace HaAgent.Protocol.Messages;

/// <summary>Preempt-and-abort <see cref="VictimKey"/> on one LUN.</summary>
public sealed record IscsiFenceTarget(string Target, int Lun, string VictimKey);
