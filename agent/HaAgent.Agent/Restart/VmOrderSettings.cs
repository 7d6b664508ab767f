namespace HaAgent.Agent.Restart;

/// <summary>What the start and stop executors need from the agent's configuration.</summary>
/// <param name="ManagedPrefix">Names a start may use: only HA-managed domains are stopped by a self-fence.</param>
/// <param name="QemuPidDirectory">libvirt's QEMU pid files; null finds QEMU by its <c>-uuid</c> in /proc.</param>
/// <param name="StepTimeout">Bound on each libvirt call (define, create, lookups).</param>
/// <param name="ConfirmTimeout">How long a started VM may take to show as running with a live QEMU (and a stopped one as shut off).</param>
/// <param name="KillGrace">How long virDomainDestroy gets before QEMU is SIGKILLed through its pidfd.</param>
internal sealed record VmOrderSettings(string ManagedPrefix, string? QemuPidDirectory, TimeSpan StepTimeout, TimeSpan ConfirmTimeout, TimeSpan KillGrace);
