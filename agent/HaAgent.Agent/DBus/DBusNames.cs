namespace HaAgent.Agent.DBus;

/// <summary>The bus names, object paths, interfaces and error names the agent speaks, in one place.</summary>
internal static class DBusNames
{
    internal const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    internal const string PropertiesChanged = "PropertiesChanged";
    internal const string ServiceUnknownError = "org.freedesktop.DBus.Error.ServiceUnknown";
    internal const string NameHasNoOwnerError = "org.freedesktop.DBus.Error.NameHasNoOwner";
    internal const string UnknownMethodError = "org.freedesktop.DBus.Error.UnknownMethod";
    internal const string UnknownObjectError = "org.freedesktop.DBus.Error.UnknownObject";

    internal const string SystemdService = "org.freedesktop.systemd1";
    internal const string SystemdPath = "/org/freedesktop/systemd1";
    internal const string SystemdManagerInterface = "org.freedesktop.systemd1.Manager";
    internal const string SystemdUnitInterface = "org.freedesktop.systemd1.Unit";
    internal const string SystemdNoSuchUnitError = "org.freedesktop.systemd1.NoSuchUnit";

    internal const string MachinedService = "org.freedesktop.machine1";
    internal const string MachinedPath = "/org/freedesktop/machine1";
    internal const string MachinedManagerInterface = "org.freedesktop.machine1.Manager";
    internal const string MachinedMachineInterface = "org.freedesktop.machine1.Machine";
    internal const string MachinedNoSuchMachineError = "org.freedesktop.machine1.NoSuchMachine";

    internal const string ActiveStateProperty = "ActiveState";
    internal const string SubStateProperty = "SubState";
}
