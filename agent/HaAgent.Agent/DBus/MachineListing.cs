namespace HaAgent.Agent.DBus;

/// <summary>One entry of org.freedesktop.machine1.Manager.ListMachines: a(ssso).</summary>
internal readonly record struct MachineListing(string Name, string Class, string Service, string ObjectPath);
