namespace HaAgent.Testing.Lab;

/// <summary>One numbered write issued through a VM's QEMU and what QEMU reported.</summary>
public sealed record VmWriteResult(string Host, string Vm, int Sequence, VmWriteOutcome Outcome, string Detail, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"write #{Sequence} from {Vm}@{Host}: {Outcome} ({Detail}) in {Elapsed.TotalMilliseconds:F0} ms";
}
