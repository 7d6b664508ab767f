namespace HaAgent.Core.Observations;

/// <summary>PERSISTENT RESERVE IN / READ KEYS on one LUN after the preempt. Proven when the victim's key is absent.</summary>
public sealed record IscsiKeysEvidence(string Target, int Lun, IReadOnlyList<string> RegisteredKeys) : FenceEvidence
{
    public override string ToString() => $"READ KEYS {Target}/{Lun} = [{string.Join(',', RegisteredKeys)}]";
}
