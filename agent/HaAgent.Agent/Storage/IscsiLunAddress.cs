namespace HaAgent.Agent.Storage;

/// <summary>One LUN behind one portal.</summary>
internal readonly record struct IscsiLunAddress(string Portal, string TargetIqn, int Lun)
{
    public override string ToString() => $"{Portal}/{TargetIqn}/{Lun}";
}
