namespace HaAgent.Testing.Libvirt;

/// <summary>A domain of a <see cref="LibvirtTestNode"/>: running at connect time, or shut off.</summary>
public sealed record TestDomain(string Name, Guid Uuid, bool Running);
