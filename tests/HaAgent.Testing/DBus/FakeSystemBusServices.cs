using System.Globalization;
using System.Text;
using Tmds.DBus.Protocol;

namespace HaAgent.Testing.DBus;

/// <summary>
/// A stand-in for systemd (org.freedesktop.systemd1) and systemd-machined (org.freedesktop.machine1) on a private bus,
/// speaking just what the agent uses: Manager.GetUnit/LoadUnit/Subscribe, Unit ActiveState/SubState/LoadState via
/// Properties.Get/GetAll with PropertiesChanged on change; machine1 ListMachines/GetMachine and the Machine properties
/// Name/Leader/Unit/Class/Service. State is set by the test (<see cref="SetUnitState"/>, <see cref="AddMachine"/>).
/// </summary>
public sealed class FakeSystemBusServices : IDisposable
{
    public const string SystemdName = "org.freedesktop.systemd1";
    public const string MachinedName = "org.freedesktop.machine1";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    private const string UnitInterface = "org.freedesktop.systemd1.Unit";
    private const string MachineInterface = "org.freedesktop.machine1.Machine";
    private const string UnitPathPrefix = "/org/freedesktop/systemd1/unit/";
    private const string MachinePathPrefix = "/org/freedesktop/machine1/machine/";

    private readonly DBusConnection _connection;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FakeUnit> _units = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeMachine> _machines = new(StringComparer.Ordinal);
    private int _subscribeCalls;

    private FakeSystemBusServices(DBusConnection connection)
    {
        _connection = connection;
    }

    /// <summary>How many times a client called Manager.Subscribe.</summary>
    public int SubscribeCalls => Volatile.Read(ref _subscribeCalls);

    /// <summary>Connects to <paramref name="address"/> and owns the chosen names (machined absent unless asked).</summary>
    public static async Task<FakeSystemBusServices> StartAsync(string address, bool systemd = true, bool machined = true)
    {
        var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            var services = new FakeSystemBusServices(connection);
            if (systemd)
            {
                connection.AddMethodHandler(new Handler("/org/freedesktop/systemd1", services.HandleSystemd));
                await connection.RequestNameAsync(SystemdName).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            if (machined)
            {
                connection.AddMethodHandler(new Handler("/org/freedesktop/machine1", services.HandleMachined));
                await connection.RequestNameAsync(MachinedName).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            return services;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>systemd's object path escaping: every byte but [A-Za-z0-9] becomes _xx.</summary>
    public static string UnitPath(string unit) => UnitPathPrefix + Escape(unit);

    /// <summary>Sets (or creates) a unit's state and emits PropertiesChanged on its object path, as systemd does.</summary>
    public void SetUnitState(string unit, string activeState, string subState)
    {
        lock (_lock)
        {
            _units[unit] = new FakeUnit(activeState, subState, Loaded: true, "loaded");
        }
        // MessageWriter is a struct: entries are written inline, never through a by-value helper.
        using var writer = _connection.GetMessageWriter();
        writer.WriteSignalHeader(null, UnitPath(unit), PropertiesInterface, "PropertiesChanged", "sa{sv}as");
        writer.WriteString(UnitInterface);
        var dictionary = writer.WriteDictionaryStart();
        writer.WriteDictionaryEntryStart();
        writer.WriteString("ActiveState");
        writer.WriteVariantString(activeState);
        writer.WriteDictionaryEntryStart();
        writer.WriteString("SubState");
        writer.WriteVariantString(subState);
        writer.WriteDictionaryEnd(dictionary);
        writer.WriteArray(Array.Empty<string>());
        _connection.TrySendMessage(writer.CreateMessage());
    }

    /// <summary>A unit systemd has on disk but not in memory: GetUnit says NoSuchUnit, LoadUnit loads it.</summary>
    public void AddUnloadedUnit(string unit, string activeState, string subState)
    {
        lock (_lock)
        {
            _units[unit] = new FakeUnit(activeState, subState, Loaded: false, "loaded");
        }
    }

    /// <summary>Registers a machine the way libvirt does through machined (class "vm", service "libvirt-qemu").</summary>
    public void AddMachine(string name, uint leaderPid, string scope, string @class = "vm", string service = "libvirt-qemu")
    {
        lock (_lock)
        {
            _machines[name] = new FakeMachine(name, leaderPid, scope, @class, service);
        }
    }

    public void RemoveMachine(string name)
    {
        lock (_lock)
        {
            _machines.Remove(name);
        }
    }

    public void Dispose() => _connection.Dispose();

    private void HandleSystemd(MethodContext context)
    {
        var request = context.Request;
        var path = request.PathAsString ?? "";
        var member = request.MemberAsString;
        if (path == "/org/freedesktop/systemd1" && request.InterfaceAsString == "org.freedesktop.systemd1.Manager")
        {
            switch (member)
            {
                case "Subscribe":
                    Interlocked.Increment(ref _subscribeCalls);
                    using (var empty = context.CreateReplyWriter(null))
                    {
                        context.Reply(empty.CreateMessage());
                    }
                    return;
                case "GetUnit" or "LoadUnit":
                    var unit = request.GetBodyReader().ReadString();
                    bool known;
                    lock (_lock)
                    {
                        if (member == "LoadUnit")
                        {
                            // Like systemd: loading a unit that has no file yields a "not-found" unit, not an error.
                            _units[unit] = _units.TryGetValue(unit, out var existing)
                                ? existing with { Loaded = true }
                                : new FakeUnit("inactive", "dead", Loaded: true, "not-found");
                        }
                        known = _units.TryGetValue(unit, out var entry) && entry.Loaded;
                    }
                    if (!known)
                    {
                        context.ReplyError("org.freedesktop.systemd1.NoSuchUnit", $"Unit {unit} not loaded.");
                        return;
                    }
                    using (var writer = context.CreateReplyWriter("o"))
                    {
                        writer.WriteObjectPath(UnitPath(unit));
                        context.Reply(writer.CreateMessage());
                    }
                    return;
            }
        }
        else if (path.StartsWith(UnitPathPrefix, StringComparison.Ordinal) && request.InterfaceAsString == PropertiesInterface)
        {
            (FakeUnit State, string Id)? found = null;
            lock (_lock)
            {
                foreach (var (unit, state) in _units)
                {
                    if (state.Loaded && UnitPath(unit) == path)
                    {
                        found = (state, unit);
                    }
                }
            }
            if (found is { } u)
            {
                ReplyProperties(context, UnitInterface,
                    [("Id", u.Id), ("LoadState", u.State.LoadState), ("ActiveState", u.State.Active), ("SubState", u.State.Sub)], []);
                return;
            }
            context.ReplyError("org.freedesktop.DBus.Error.UnknownObject", $"no object {path}");
            return;
        }
        context.ReplyUnknownMethodError();
    }

    private void HandleMachined(MethodContext context)
    {
        var request = context.Request;
        var path = request.PathAsString ?? "";
        var member = request.MemberAsString;
        if (path == "/org/freedesktop/machine1" && request.InterfaceAsString == "org.freedesktop.machine1.Manager")
        {
            switch (member)
            {
                case "ListMachines":
                    FakeMachine[] machines;
                    lock (_lock)
                    {
                        machines = [.. _machines.Values];
                    }
                    using (var writer = context.CreateReplyWriter("a(ssso)"))
                    {
                        var array = writer.WriteArrayStart(DBusType.Struct);
                        foreach (var machine in machines)
                        {
                            writer.WriteStructureStart();
                            writer.WriteString(machine.Name);
                            writer.WriteString(machine.Class);
                            writer.WriteString(machine.Service);
                            writer.WriteObjectPath(MachinePathPrefix + Escape(machine.Name));
                        }
                        writer.WriteArrayEnd(array);
                        context.Reply(writer.CreateMessage());
                    }
                    return;
                case "GetMachine":
                    var name = request.GetBodyReader().ReadString();
                    bool known;
                    lock (_lock)
                    {
                        known = _machines.ContainsKey(name);
                    }
                    if (!known)
                    {
                        context.ReplyError("org.freedesktop.machine1.NoSuchMachine", $"No machine '{name}' known");
                        return;
                    }
                    using (var writer = context.CreateReplyWriter("o"))
                    {
                        writer.WriteObjectPath(MachinePathPrefix + Escape(name));
                        context.Reply(writer.CreateMessage());
                    }
                    return;
            }
        }
        else if (path.StartsWith(MachinePathPrefix, StringComparison.Ordinal) && request.InterfaceAsString == PropertiesInterface)
        {
            FakeMachine? found = null;
            lock (_lock)
            {
                found = _machines.Values.FirstOrDefault(m => MachinePathPrefix + Escape(m.Name) == path);
            }
            if (found is { } m)
            {
                ReplyProperties(context, MachineInterface,
                    [("Name", m.Name), ("Unit", m.Scope), ("Class", m.Class), ("Service", m.Service)], [("Leader", m.LeaderPid)]);
                return;
            }
            context.ReplyError("org.freedesktop.DBus.Error.UnknownObject", $"no object {path}");
            return;
        }
        context.ReplyUnknownMethodError();
    }

    private static void ReplyProperties(MethodContext context, string @interface, (string Name, string Value)[] strings, (string Name, uint Value)[] numbers)
    {
        var reader = context.Request.GetBodyReader();
        var requestedInterface = reader.ReadString();
        if (requestedInterface != @interface)
        {
            context.ReplyError("org.freedesktop.DBus.Error.UnknownInterface", $"no interface {requestedInterface}");
            return;
        }
        switch (context.Request.MemberAsString)
        {
            case "GetAll":
                using (var writer = context.CreateReplyWriter("a{sv}"))
                {
                    var dictionary = writer.WriteDictionaryStart();
                    foreach (var (name, value) in strings)
                    {
                        writer.WriteDictionaryEntryStart();
                        writer.WriteString(name);
                        writer.WriteVariantString(value);
                    }
                    foreach (var (name, value) in numbers)
                    {
                        writer.WriteDictionaryEntryStart();
                        writer.WriteString(name);
                        writer.WriteVariantUInt32(value);
                    }
                    writer.WriteDictionaryEnd(dictionary);
                    context.Reply(writer.CreateMessage());
                }
                return;
            case "Get":
                var property = reader.ReadString();
                using (var writer = context.CreateReplyWriter("v"))
                {
                    if (strings.FirstOrDefault(p => p.Name == property) is { Name: not null } s)
                    {
                        writer.WriteVariantString(s.Value);
                    }
                    else if (numbers.FirstOrDefault(p => p.Name == property) is { Name: not null } n)
                    {
                        writer.WriteVariantUInt32(n.Value);
                    }
                    else
                    {
                        context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", $"no property {property}");
                        return;
                    }
                    context.Reply(writer.CreateMessage());
                }
                return;
            default:
                context.ReplyUnknownMethodError();
                return;
        }
    }

    private static string Escape(string name)
    {
        var builder = new StringBuilder(name.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (char.IsAsciiLetterOrDigit((char)b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('_').Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private sealed record FakeUnit(string Active, string Sub, bool Loaded, string LoadState);

    private sealed record FakeMachine(string Name, uint LeaderPid, string Scope, string Class, string Service);

    private sealed class Handler(string path, Action<MethodContext> handle) : IPathMethodHandler
    {
        public string Path => path;

        public bool HandlesChildPaths => true;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            handle(context);
            return ValueTask.CompletedTask;
        }
    }
}
