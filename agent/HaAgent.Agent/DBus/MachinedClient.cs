using System.Globalization;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

namespace HaAgent.Agent.DBus;

/// <summary>
/// Asks systemd-machined (org.freedesktop.machine1) for a VM's QEMU leader PID and scope: ListMachines to find the
/// machine (libvirt registers "qemu-&lt;id&gt;-&lt;name&gt;"), GetMachine → object path, then the Machine properties
/// Leader, Unit, Class, Service. Where machined or the bus is absent the answer is
/// <see cref="VmProcessLookupStatus.Unavailable"/> (reason logged once), never an exception.
/// One connection is kept and replaced after any bus-level failure.
/// </summary>
internal sealed partial class MachinedClient : IDisposable
{
    private static readonly MessageValueReader<List<MachineListing>> s_listReader = static (message, _) => ReadListing(message);

    private readonly MachinedClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DBusConnection? _connection;
    private string? _loggedReason;

    public MachinedClient(MachinedClientOptions options, TimeProvider time, ILogger<MachinedClient> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The leader PID and scope of <paramref name="vmName"/>'s QEMU, or why not.</summary>
    public async Task<VmProcessLookup> TryGetVmProcessAsync(string vmName, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await LookUpAsync(vmName, cancellationToken).ConfigureAwait(false);
            _loggedReason = result.Status == VmProcessLookupStatus.Unavailable ? _loggedReason : null;
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // the caller gets a typed answer whatever the bus does
        catch (Exception exception)
#pragma warning restore CA1031
        {
            if (exception is not DBusErrorReplyException)
            {
                DropConnection(); // the bus itself failed; a reply error leaves the connection good
            }
            var reason = Describe(exception);
            if (!string.Equals(reason, _loggedReason, StringComparison.Ordinal))
            {
                _loggedReason = reason;
                LogUnavailable(reason);
            }
            return VmProcessLookup.Unavailable(reason);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        DropConnection();
        _gate.Dispose();
    }

    /// <summary>libvirt names its machines "qemu-&lt;domain id&gt;-&lt;name&gt;"; an exact name also counts.</summary>
    internal static bool IsMachineOf(string machineName, string vmName)
    {
        if (string.Equals(machineName, vmName, StringComparison.Ordinal))
        {
            return true;
        }
        if (!machineName.StartsWith("qemu-", StringComparison.Ordinal))
        {
            return false;
        }
        var dash = machineName.IndexOf('-', 5);
        return dash > 5
            && int.TryParse(machineName.AsSpan(5, dash - 5), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && machineName.AsSpan(dash + 1).SequenceEqual(vmName);
    }

    private async Task<VmProcessLookup> LookUpAsync(string vmName, CancellationToken cancellationToken)
    {
        var timeout = _options.CallTimeout;
        var connection = _connection ??= await DBusCalls.ConnectAsync(_options.BusAddress, timeout, _time, cancellationToken).ConfigureAwait(false);

        var machines = await DBusCalls.CallAsync(connection, DBusNames.MachinedService, DBusNames.MachinedPath,
            DBusNames.MachinedManagerInterface, "ListMachines", s_listReader, timeout, _time, cancellationToken).ConfigureAwait(false);
        var machineName = machines.Select(m => m.Name).FirstOrDefault(name => IsMachineOf(name, vmName));
        if (machineName is null)
        {
            return VmProcessLookup.NotFound(vmName);
        }

        string path;
        try
        {
            path = await DBusCalls.CallReturningObjectPathAsync(connection, DBusNames.MachinedService, DBusNames.MachinedPath,
                DBusNames.MachinedManagerInterface, "GetMachine", machineName, timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException exception) when (exception.ErrorName == DBusNames.MachinedNoSuchMachineError)
        {
            return VmProcessLookup.NotFound(vmName); // it went away between the two calls
        }

        Dictionary<string, VariantValue> properties;
        try
        {
            properties = await DBusCalls.GetAllPropertiesAsync(connection, DBusNames.MachinedService, path,
                DBusNames.MachinedMachineInterface, timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException exception) when (exception.ErrorName is DBusNames.UnknownObjectError or DBusNames.UnknownMethodError)
        {
            return VmProcessLookup.NotFound(vmName);
        }

        var leader = DBusCalls.GetUInt32(properties, "Leader");
        if (leader is null or 0 or > int.MaxValue)
        {
            return VmProcessLookup.Unavailable($"machine {machineName} has no usable Leader");
        }
        return VmProcessLookup.Found(machineName, (int)leader.Value,
            DBusCalls.GetString(properties, "Unit"), DBusCalls.GetString(properties, "Class"), DBusCalls.GetString(properties, "Service"));
    }

    private static List<MachineListing> ReadListing(Message message)
    {
        var reader = message.GetBodyReader();
        var machines = new List<MachineListing>();
        var end = reader.ReadArrayStart(DBusType.Struct);
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            machines.Add(new MachineListing(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadObjectPathAsString()));
        }
        return machines;
    }

    private string Describe(Exception exception) =>
        DBusCalls.Describe(exception, _options.BusAddress, DBusNames.MachinedService, _options.CallTimeout);

    private void DropConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    [LoggerMessage(EventId = AgentEventIds.MachinedUnavailable, Level = LogLevel.Warning, Message = "systemd-machined unavailable: {Reason}")]
    private partial void LogUnavailable(string reason);
}
