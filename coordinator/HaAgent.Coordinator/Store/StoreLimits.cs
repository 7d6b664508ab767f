using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace HaAgent.Coordinator.Store;

/// <summary>
/// Input limits of both stores, checked before anything is sent, so bad input fails the same way on SQLite and etcd
/// and never half-applies. Keys are printable ASCII without spaces (0x21–0x7E): their ordinal order is the same as
/// etcd's byte order and SQLite's BINARY collation, so listings page identically on both.
/// </summary>
internal static class StoreLimits
{
    public const int MaxKeyLength = 256;

    /// <summary>Well under etcd's default 1.5 MiB request limit, with room for the key and the transaction around it.</summary>
    public const int MaxValueBytes = 1024 * 1024;

    public const int MaxPageSize = 1000;

    /// <summary>Documents per commit; etcd allows 128 operations per Txn by default and a batch uses up to two per write plus audit.</summary>
    public const int MaxBatchWrites = 50;

    /// <summary>Total value bytes per commit, under etcd's 1.5 MiB request limit.</summary>
    public const int MaxBatchBytes = 1024 * 1024;

    public const char FirstKeyChar = '!';

    public const char LastKeyChar = '~';

    /// <summary>Sorts after every key character: a prefix followed by it bounds a prefix range.</summary>
    public const char PastLastKeyChar = '\x7f';

    public static void ValidateKey(string key, [CallerArgumentExpression(nameof(key))] string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(key, parameterName);
        if (key.Length == 0)
        {
            ThrowArgument("a key must not be empty", parameterName);
        }
        ValidateKeyText(key, parameterName);
    }

    public static void ValidatePrefix(string prefix, [CallerArgumentExpression(nameof(prefix))] string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(prefix, parameterName);
        ValidateKeyText(prefix, parameterName);
    }

    public static void ValidateValue(ReadOnlyMemory<byte> value, [CallerArgumentExpression(nameof(value))] string? parameterName = null)
    {
        if (value.Length > MaxValueBytes)
        {
            ThrowArgument($"a value may hold at most {MaxValueBytes} bytes, this one has {value.Length}", parameterName);
        }
    }

    public static void ValidateBatch(IReadOnlyList<DocumentWrite> writes, ReadOnlyMemory<byte>? audit, [CallerArgumentExpression(nameof(writes))] string? parameterName = null)
    {
        ArgumentNullException.ThrowIfNull(writes, parameterName);
        if (writes.Count == 0 && audit is null)
        {
            ThrowArgument("a commit needs at least one write or an audit record", parameterName);
        }
        if (writes.Count > MaxBatchWrites)
        {
            ThrowArgument($"a commit holds at most {MaxBatchWrites} writes, this one has {writes.Count}", parameterName);
        }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long bytes = audit?.Length ?? 0;
        foreach (var write in writes)
        {
            ArgumentNullException.ThrowIfNull(write, parameterName);
            ValidateKey(write.Key, parameterName);
            ValidateExpectedVersion(write.ExpectedVersion, parameterName);
            if (!keys.Add(write.Key))
            {
                ThrowArgument($"key '{write.Key}' appears twice in one commit", parameterName);
            }
            bytes += write.Value?.Length ?? 0;
        }
        if (bytes > MaxBatchBytes)
        {
            ThrowArgument($"a commit may carry at most {MaxBatchBytes} value bytes, this one has {bytes}", parameterName);
        }
    }

    public static void ValidatePageSize(int limit, [CallerArgumentExpression(nameof(limit))] string? parameterName = null)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(parameterName, limit, $"a page holds 1 to {MaxPageSize} items");
        }
    }

    public static void ValidateExpectedVersion(long? expectedVersion, [CallerArgumentExpression(nameof(expectedVersion))] string? parameterName = null)
    {
        if (expectedVersion < 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, expectedVersion, "a version is 0 (absent) or positive");
        }
    }

    public static void ValidateStartAfter(string prefix, string? startAfter, [CallerArgumentExpression(nameof(startAfter))] string? parameterName = null)
    {
        if (startAfter is null)
        {
            return;
        }
        ValidateKey(startAfter, parameterName);
        if (!startAfter.StartsWith(prefix, StringComparison.Ordinal))
        {
            ThrowArgument($"'{startAfter}' does not start with the listed prefix '{prefix}'", parameterName);
        }
    }

    private static void ValidateKeyText(string text, string? parameterName)
    {
        if (text.Length > MaxKeyLength)
        {
            ThrowArgument($"a key may hold at most {MaxKeyLength} characters, this one has {text.Length}", parameterName);
        }
        foreach (var c in text)
        {
            if (c is < FirstKeyChar or > LastKeyChar)
            {
                ThrowArgument($"a key holds printable ASCII without spaces; found U+{(int)c:X4}", parameterName);
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowArgument(string message, string? parameterName) =>
        throw new ArgumentException(message, parameterName);
}
