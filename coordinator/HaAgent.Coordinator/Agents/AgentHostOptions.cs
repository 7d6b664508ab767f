namespace HaAgent.Coordinator.Agents;

/// <summary>One host's entry under <c>Agents:Hosts:&lt;hostId&gt;</c>.</summary>
internal sealed class AgentHostOptions
{
    /// <summary>File holding the host's shared secret: at least 32 bytes, raw or base64 (see <see cref="SecretFile"/>).</summary>
    public string? SecretFile { get; set; }
}
