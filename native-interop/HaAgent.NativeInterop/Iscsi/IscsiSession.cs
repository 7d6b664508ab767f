using System.Diagnostics;

namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// One logged-in iSCSI session (one I_T nexus) to one LUN, through libiscsi's synchronous API.
/// <para>
/// No call can hang on a dead target: auto-reconnect is off (a dropped connection fails the command at once), every PDU
/// carries a timeout (libiscsi checks it about once a second, so the bound is <see cref="Timeout"/> + ~1 s), and TCP
/// SYN retries and unacknowledged data are bounded too. After any transport failure the session refuses further
/// commands: a fence agent reconnects with a new session, which on tgt also means registering again.
/// </para>
/// <para>Calls are serialised: an iscsi_context is not thread-safe.</para>
/// </summary>
public sealed partial class IscsiSession : IDisposable
{
    private readonly SafeIscsiContextHandle _context;
    private readonly Lock _gate = new();
    private string? _brokenBecause;
    private bool _disposed;

    private IscsiSession(SafeIscsiContextHandle context, string portal, string targetIqn, int lun, string initiatorIqn, TimeSpan timeout)
    {
        _context = context;
        Portal = portal;
        TargetIqn = targetIqn;
        Lun = lun;
        InitiatorIqn = initiatorIqn;
        Timeout = timeout;
    }

    public string Portal { get; }

    public string TargetIqn { get; }

    public int Lun { get; }

    public string InitiatorIqn { get; }

    /// <summary>Per-command timeout libiscsi enforces (whole seconds, rounded up).</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Capacity read at connect; <see cref="ReadBlocks"/> and <see cref="WriteBlocks"/> work in its block size.</summary>
    public ScsiCapacity Capacity { get; private set; }

    /// <summary>False once a transport failure made the session unusable.</summary>
    public bool IsUsable
    {
        get
        {
            lock (_gate)
            {
                return !_disposed && _brokenBecause is null;
            }
        }
    }

    /// <summary>
    /// Connects to <paramref name="portal"/> ("127.0.0.1:3260"), logs in to <paramref name="targetIqn"/> as
    /// <paramref name="initiatorIqn"/>, checks <paramref name="lun"/> is ready and reads its capacity.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed portal, name, LUN or timeout; nothing was sent.</exception>
    /// <exception cref="IscsiConnectException">Unreachable portal, unknown target, missing LUN, refused login, or no answer in time.</exception>
    /// <exception cref="ScsiCommandException">The target refused READ CAPACITY(16) twice.</exception>
    public static IscsiSession Connect(string portal, string targetIqn, int lun, string initiatorIqn, TimeSpan timeout)
    {
        IscsiInputValidation.Portal(portal, nameof(portal));
        IscsiInputValidation.Name(targetIqn, nameof(targetIqn));
        IscsiInputValidation.Lun(lun, nameof(lun));
        IscsiInputValidation.Name(initiatorIqn, nameof(initiatorIqn));
        IscsiInputValidation.Timeout(timeout, nameof(timeout));

        var seconds = (int)Math.Ceiling(timeout.TotalSeconds);
        var context = Interop.Iscsi.iscsi_create_context(initiatorIqn);
        if (context.IsInvalid)
        {
            context.Dispose();
            throw new IscsiConnectException("iscsi_create_context", "returned NULL (out of memory or invalid initiator name)");
        }

        try
        {
            Configure(context, targetIqn, seconds);
            var started = Stopwatch.GetTimestamp();
            int rc;
            using (AsynchronousSignalsBlocked.Enter())
            {
                rc = Interop.Iscsi.iscsi_full_connect_sync(context, portal, lun);
            }
            if (rc != 0)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                throw new IscsiConnectException(
                    "iscsi_full_connect_sync",
                    $"{portal} {targetIqn} LUN {lun}: {Interop.Iscsi.GetError(context)}",
                    timedOut: elapsed >= TimeSpan.FromSeconds(seconds));
            }

            var session = new IscsiSession(context, portal, targetIqn, lun, initiatorIqn, TimeSpan.FromSeconds(seconds));
            try
            {
                session.Capacity = session.RetryOnUnitAttention(static s => s.ReadCapacity());
            }
            catch
            {
                session.Dispose();
                throw;
            }
            return session;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static void Configure(SafeIscsiContextHandle context, string targetIqn, int timeoutSeconds)
    {
        Check(context, "iscsi_set_targetname", Interop.Iscsi.iscsi_set_targetname(context, targetIqn));
        Check(context, "iscsi_set_session_type", Interop.Iscsi.iscsi_set_session_type(context, Interop.Iscsi.ISCSI_SESSION_NORMAL));
        Check(context, "iscsi_set_header_digest", Interop.Iscsi.iscsi_set_header_digest(context, Interop.Iscsi.ISCSI_HEADER_DIGEST_NONE));

        // A reconnect would log in again as a NEW nexus: on tgt that silently drops this node's registration, and a
        // reconnect loop against a dead target never returns. Fail the command instead and let the caller decide.
        Interop.Iscsi.iscsi_set_noautoreconnect(context, 1);
        Interop.Iscsi.iscsi_set_reconnect_max_retries(context, 0);
        Check(context, "iscsi_set_timeout", Interop.Iscsi.iscsi_set_timeout(context, timeoutSeconds));
        Interop.Iscsi.iscsi_set_tcp_syncnt(context, SynRetriesWithin(timeoutSeconds));
        Interop.Iscsi.iscsi_set_tcp_user_timeout(context, checked(timeoutSeconds * 1000));
    }

    /// <summary>Linux retransmits a SYN after 1, 2, 4... s; n retries give up after 2^(n+1) - 1 s. At least one retry.</summary>
    internal static int SynRetriesWithin(int timeoutSeconds)
    {
        var retries = 1;
        while (retries < 6 && (1 << (retries + 2)) - 1 <= timeoutSeconds)
        {
            retries++;
        }
        return retries;
    }

    private static void Check(SafeIscsiContextHandle context, string function, int rc)
    {
        if (rc != 0)
        {
            throw new IscsiConnectException(function, Interop.Iscsi.GetError(context));
        }
    }

    /// <summary>READ CAPACITY(16).</summary>
    public ScsiCapacity ReadCapacity()
    {
        const string Function = "iscsi_readcapacity16_sync";
        lock (_gate)
        {
            ThrowIfUnusable();
            SafeScsiTaskHandle raw;
            using (AsynchronousSignalsBlocked.Enter())
            {
                raw = Interop.Iscsi.iscsi_readcapacity16_sync(_context, Lun);
            }
            using var task = Complete(Function, raw);
            ThrowIfNotGood(Function, task);
            var data = Unmarshall<Interop.Iscsi.scsi_readcapacity16>(Function, task);
            return new ScsiCapacity(data.returned_lba, checked((int)data.block_length));
        }
    }

    /// <summary>READ(16) of <c>destination.Length / BlockSize</c> blocks starting at <paramref name="lba"/>.</summary>
    /// <exception cref="UnitAttentionException">Another nexus changed the reservation; nothing was read, retry once.</exception>
    public void ReadBlocks(ulong lba, Span<byte> destination)
    {
        const string Function = "iscsi_read16_sync";
        var blockSize = Capacity.BlockSize;
        CheckTransfer(lba, destination.Length, blockSize, nameof(destination));
        lock (_gate)
        {
            ThrowIfUnusable();
            SafeScsiTaskHandle raw;
            using (AsynchronousSignalsBlocked.Enter())
            {
                raw = Interop.Iscsi.iscsi_read16_sync(_context, Lun, lba, (uint)destination.Length, blockSize, 0, 0, 0, 0, 0);
            }
            using var task = Complete(Function, raw);
            ThrowIfNotGood(Function, task);
            ref readonly var head = ref task.Task;
            if (head.datain_size != destination.Length || head.datain_data == 0)
            {
                throw new IscsiTransportException(Function, $"target returned {head.datain_size} bytes, expected {destination.Length}");
            }
            unsafe
            {
                new ReadOnlySpan<byte>((void*)head.datain_data, head.datain_size).CopyTo(destination);
            }
        }
    }

    /// <summary>READ(16) into a new array of <paramref name="blocks"/> blocks.</summary>
    public byte[] ReadBlocks(ulong lba, int blocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocks);
        var buffer = new byte[checked(blocks * Capacity.BlockSize)];
        ReadBlocks(lba, buffer);
        return buffer;
    }

    /// <summary>WRITE(16) of <paramref name="data"/> (a whole number of blocks) at <paramref name="lba"/>.</summary>
    /// <exception cref="ReservationConflictException">This nexus is fenced: the write did not land.</exception>
    /// <exception cref="UnitAttentionException">Another nexus changed the reservation; nothing was written, retry once.</exception>
    public void WriteBlocks(ulong lba, ReadOnlySpan<byte> data)
    {
        const string Function = "iscsi_write16_sync";
        var blockSize = Capacity.BlockSize;
        CheckTransfer(lba, data.Length, blockSize, nameof(data));
        lock (_gate)
        {
            ThrowIfUnusable();
            SafeScsiTaskHandle raw;
            unsafe
            {
                fixed (byte* bytes = data)
                using (AsynchronousSignalsBlocked.Enter())
                {
                    raw = Interop.Iscsi.iscsi_write16_sync(_context, Lun, lba, bytes, (uint)data.Length, blockSize, 0, 0, 0, 0, 0);
                }
            }
            using var task = Complete(Function, raw);
            ThrowIfNotGood(Function, task);
        }
    }

    private void CheckTransfer(ulong lba, int length, int blockSize, string paramName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (length <= 0 || length % blockSize != 0 || length > IscsiLimits.MaxTransferBytes)
        {
            throw new ArgumentException($"transfer must be a whole number of {blockSize}-byte blocks, 1..{IscsiLimits.MaxTransferBytes} bytes; got {length}", paramName);
        }
        var blocks = (ulong)(length / blockSize);
        if (lba > Capacity.LastLba || blocks > Capacity.BlockCount - lba)
        {
            throw new ArgumentOutOfRangeException(nameof(lba), lba, $"blocks {lba}..{lba + blocks - 1} are beyond the last LBA {Capacity.LastLba}");
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> on this session, and once more if the target answered UNIT ATTENTION (a PR change
    /// by another nexus, a LUN reset...): the command did not execute, and the attention is reported only once.
    /// </summary>
    public T RetryOnUnitAttention<T>(Func<IscsiSession, T> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return command(this);
        }
        catch (UnitAttentionException)
        {
            return command(this);
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_brokenBecause is not null)
        {
            throw new IscsiTransportException("iscsi_session", $"session unusable after an earlier transport failure: {_brokenBecause}");
        }
    }

    /// <summary>
    /// Turns a NULL task or a libiscsi transport status (cancelled, error, timeout) into <see cref="IscsiTransportException"/>
    /// and marks the session unusable; returns the task with a real SCSI status otherwise.
    /// </summary>
    private SafeScsiTaskHandle Complete(string function, SafeScsiTaskHandle task)
    {
        if (task.IsInvalid)
        {
            task.Dispose();
            throw Broken(function, Interop.Iscsi.GetError(_context), timedOut: false);
        }
        var status = task.Task.status;
        if (status is Interop.Iscsi.SCSI_STATUS_CANCELLED or Interop.Iscsi.SCSI_STATUS_ERROR
            or Interop.Iscsi.SCSI_STATUS_TIMEOUT or Interop.Iscsi.SCSI_STATUS_REDIRECT)
        {
            task.Dispose();
            var what = status switch
            {
                Interop.Iscsi.SCSI_STATUS_CANCELLED => "connection lost, command cancelled",
                Interop.Iscsi.SCSI_STATUS_TIMEOUT => "no answer within the timeout",
                Interop.Iscsi.SCSI_STATUS_REDIRECT => "target redirected the session",
                _ => "transport error",
            };
            // libiscsi does not reset its error text per command: after a dropped connection it may still describe an
            // older event (e.g. the UNIT ATTENTION consumed at login), so it is labelled as the last error, not the cause.
            throw Broken(function, $"{what} (last libiscsi error: {Interop.Iscsi.GetError(_context)})", timedOut: status == Interop.Iscsi.SCSI_STATUS_TIMEOUT);
        }
        return task;
    }

    private IscsiTransportException Broken(string function, string error, bool timedOut)
    {
        _brokenBecause = $"{function}: {error}";
        return new IscsiTransportException(function, error, timedOut);
    }

    internal static ScsiOutcome OutcomeOf(SafeScsiTaskHandle task)
    {
        ref readonly var head = ref task.Task;
        if (head.status != Interop.Iscsi.SCSI_STATUS_CHECK_CONDITION)
        {
            return new ScsiOutcome((ScsiStatus)head.status);
        }
        return new ScsiOutcome(
            ScsiStatus.CheckCondition,
            (ScsiSenseKey)head.sense_key,
            (byte)(head.sense_ascq >> 8),
            (byte)head.sense_ascq);
    }

    private static void ThrowIfNotGood(string function, SafeScsiTaskHandle task)
    {
        var outcome = OutcomeOf(task);
        if (!outcome.IsGood)
        {
            throw ScsiCommandException.For(function, outcome);
        }
    }

    private static unsafe T Unmarshall<T>(string function, SafeScsiTaskHandle task)
        where T : unmanaged
    {
        var data = Interop.Iscsi.scsi_datain_unmarshall(task);
        if (data is null)
        {
            throw new IscsiTransportException(function, "scsi_datain_unmarshall could not parse the target's data-in");
        }
        return *(T*)data;
    }

    /// <summary>Logs out if the session is still healthy (bounded by <see cref="Timeout"/>), then frees the context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (_brokenBecause is null && !_context.IsClosed && Interop.Iscsi.iscsi_is_logged_in(_context) != 0)
            {
                // Best effort: the target drops the session on socket close anyway.
                using (AsynchronousSignalsBlocked.Enter())
                {
                    _ = Interop.Iscsi.iscsi_logout_sync(_context);
                }
            }
            _context.Dispose();
        }
    }

    public override string ToString() => $"iscsi://{Portal}/{TargetIqn}/{Lun} as {InitiatorIqn}";
}
