using Tmds.DBus.Protocol;

namespace HaAgent.Agent.DBus;

/// <summary>
/// Hand-written message building and reply reading (no reflection, no generated proxies: the agent is NativeAOT).
/// Every call is bounded: a bus or service that accepts the call and never answers must not hang a watcher.
/// </summary>
internal static class DBusCalls
{
    private static readonly MessageValueReader<string> s_objectPathReader = static (message, _) =>
        message.GetBodyReader().ReadObjectPathAsString();

    private static readonly MessageValueReader<Dictionary<string, VariantValue>> s_propertiesReader = static (message, _) =>
        message.GetBodyReader().ReadDictionaryOfStringToVariantValue();

    /// <summary>Connects to <paramref name="address"/> (null: the system bus), bounded by <paramref name="timeout"/>.</summary>
    public static async Task<DBusConnection> ConnectAsync(string? address, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = new DBusConnection(address ?? DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket");
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Calls a method taking at most one string argument that returns one object path.</summary>
    public static Task<string> CallReturningObjectPathAsync(
        DBusConnection connection, string destination, string path, string @interface, string member, string argument,
        TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination, path, @interface, member, "s");
            writer.WriteString(argument);
            message = writer.CreateMessage();
        }
        return connection.CallMethodAsync(message, s_objectPathReader).WaitAsync(timeout, time, cancellationToken);
    }

    /// <summary>Calls a method without arguments and without a useful reply (e.g. systemd's Subscribe).</summary>
    public static Task CallAsync(
        DBusConnection connection, string destination, string path, string @interface, string member,
        TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination, path, @interface, member);
            message = writer.CreateMessage();
        }
        return connection.CallMethodAsync(message).WaitAsync(timeout, time, cancellationToken);
    }

    /// <summary>org.freedesktop.DBus.Properties.GetAll(<paramref name="propertiesInterface"/>) → a{sv}.</summary>
    public static Task<Dictionary<string, VariantValue>> GetAllPropertiesAsync(
        DBusConnection connection, string destination, string path, string propertiesInterface,
        TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination, path, DBusNames.PropertiesInterface, "GetAll", "s");
            writer.WriteString(propertiesInterface);
            message = writer.CreateMessage();
        }
        return connection.CallMethodAsync(message, s_propertiesReader).WaitAsync(timeout, time, cancellationToken);
    }

    /// <summary>Calls a method without arguments; <paramref name="reader"/> parses the reply body.</summary>
    public static Task<T> CallAsync<T>(
        DBusConnection connection, string destination, string path, string @interface, string member,
        MessageValueReader<T> reader, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination, path, @interface, member);
            message = writer.CreateMessage();
        }
        return connection.CallMethodAsync(message, reader).WaitAsync(timeout, time, cancellationToken);
    }

    /// <summary>A string property, or null when absent or of another type.</summary>
    public static string? GetString(Dictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.Type == VariantValueType.String ? value.GetString() : null;

    /// <summary>A uint32 property, or null when absent or of another type.</summary>
    public static uint? GetUInt32(Dictionary<string, VariantValue> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.Type == VariantValueType.UInt32 ? value.GetUInt32() : null;

    /// <summary>True when the reply is "nobody owns that name" (the service is not running on this bus).</summary>
    public static bool IsServiceAbsent(DBusErrorReplyException error) =>
        error.ErrorName is DBusNames.ServiceUnknownError or DBusNames.NameHasNoOwnerError;

    /// <summary>One line saying why the bus could not be used; stable across retries so it is logged once.</summary>
    public static string Describe(Exception exception, string? address, string service, TimeSpan timeout) => exception switch
    {
        DBusConnectFailedException e => $"cannot connect to the bus at {address ?? "system bus"}: {e.Message}",
        DBusErrorReplyException e when IsServiceAbsent(e) => $"{service} is not on the bus",
        DBusErrorReplyException e => $"{e.ErrorName}: {e.ErrorMessage}",
        DBusConnectionClosedException e => $"bus connection closed: {e.Message}",
        TimeoutException => $"no reply within {timeout.TotalSeconds:0.###} s",
        DBusExceptionBase e => $"{e.GetType().Name}: {e.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
