namespace HaAgent.NativeInterop.Iscsi;

/// <summary>SCSI-3 persistent reservations (SPC-4 6.15/6.16), scope LU. Keys are 64-bit, 0 means "none".</summary>
public sealed partial class IscsiSession
{
    private const string PrOut = "iscsi_persistent_reserve_out_sync";
    private const string PrIn = "iscsi_persistent_reserve_in_sync";

    /// <summary>REGISTER <paramref name="key"/> for this (so far unregistered) nexus.</summary>
    public void Register(ulong key)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        ReserveOut(PersistentReserveOutAction.Register, 0, key, type: 0);
    }

    /// <summary>REGISTER with service action key 0: removes this nexus's registration <paramref name="key"/>.</summary>
    public void Unregister(ulong key)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        ReserveOut(PersistentReserveOutAction.Register, key, 0, type: 0);
    }

    /// <summary>REGISTER AND IGNORE EXISTING KEY: (re)registers <paramref name="newKey"/> whatever this nexus held before — how a fenced host that was cleared to run again gets back in.</summary>
    public void RegisterAndIgnoreExistingKey(ulong newKey)
    {
        ArgumentOutOfRangeException.ThrowIfZero(newKey);
        ReserveOut(PersistentReserveOutAction.RegisterAndIgnoreExistingKey, 0, newKey, type: 0);
    }

    /// <summary>RESERVE with this nexus's registered <paramref name="key"/>.</summary>
    public void Reserve(ulong key, PersistentReservationType type)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        ReserveOut(PersistentReserveOutAction.Reserve, key, 0, CheckType(type));
    }

    /// <summary>RELEASE the reservation this nexus holds with <paramref name="key"/>.</summary>
    public void Release(ulong key, PersistentReservationType type)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        ReserveOut(PersistentReserveOutAction.Release, key, 0, CheckType(type));
    }

    /// <summary>CLEAR: removes every registration and the reservation.</summary>
    public void Clear(ulong key)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        ReserveOut(PersistentReserveOutAction.Clear, key, 0, type: 0);
    }

    /// <summary>PREEMPT: removes <paramref name="victimKey"/>'s registrations (and takes over its reservation). The victim's queued commands still run.</summary>
    public void Preempt(ulong key, ulong victimKey, PersistentReservationType type)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        ReserveOut(PersistentReserveOutAction.Preempt, key, victimKey, CheckType(type));
    }

    /// <summary>PREEMPT AND ABORT: as <see cref="Preempt"/>, and aborts the victim's queued commands. tgt refuses it (ILLEGAL REQUEST 24/00).</summary>
    public void PreemptAndAbort(ulong key, ulong victimKey, PersistentReservationType type)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        ReserveOut(PersistentReserveOutAction.PreemptAndAbort, key, victimKey, CheckType(type));
    }

    /// <summary>
    /// The fence: PREEMPT AND ABORT, falling back to PREEMPT when the target answers ILLEGAL REQUEST. Each is sent
    /// again once after a UNIT ATTENTION (another nexus changed the PR state; the command did not run).
    /// </summary>
    /// <returns>Which service action removed the victim, and the target's answer to PREEMPT AND ABORT.</returns>
    /// <exception cref="ScsiCommandException">Neither worked, e.g. RESERVATION CONFLICT when <paramref name="key"/> is not registered.</exception>
    public PreemptResult PreemptAndAbortOrPreempt(ulong key, ulong victimKey, PersistentReservationType type)
    {
        ArgumentOutOfRangeException.ThrowIfZero(key);
        var wireType = CheckType(type);
        var answer = ReserveOutOutcome(PersistentReserveOutAction.PreemptAndAbort, key, victimKey, wireType);
        var decision = PreemptFallback.Decide(answer);
        if (decision == PreemptAndAbortDecision.Retry)
        {
            answer = ReserveOutOutcome(PersistentReserveOutAction.PreemptAndAbort, key, victimKey, wireType);
            decision = PreemptFallback.Decide(answer);
        }

        switch (decision)
        {
            case PreemptAndAbortDecision.Done:
                return new PreemptResult(PersistentReserveOutAction.PreemptAndAbort, answer);
            case PreemptAndAbortDecision.FallBackToPreempt:
                var preempt = ReserveOutOutcome(PersistentReserveOutAction.Preempt, key, victimKey, wireType);
                if (preempt.IsUnitAttention)
                {
                    preempt = ReserveOutOutcome(PersistentReserveOutAction.Preempt, key, victimKey, wireType);
                }
                if (!preempt.IsGood)
                {
                    throw ScsiCommandException.For(PrOut, preempt);
                }
                return new PreemptResult(PersistentReserveOutAction.Preempt, answer);
            default:
                throw ScsiCommandException.For(PrOut, answer);
        }
    }

    /// <summary>PERSISTENT RESERVE IN / READ KEYS.</summary>
    public PersistentReservationKeys ReadKeys()
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            SafeScsiTaskHandle raw;
            using (AsynchronousSignalsBlocked.Enter())
            {
                raw = Interop.Iscsi.iscsi_persistent_reserve_in_sync(_context, Lun, Interop.Iscsi.SCSI_PERSISTENT_RESERVE_READ_KEYS, IscsiLimits.ReadKeysAllocationLength);
            }
            using var task = Complete(PrIn, raw);
            ThrowIfNotGood(PrIn, task);
            unsafe
            {
                var data = Interop.Iscsi.scsi_datain_unmarshall(task);
                if (data is null)
                {
                    throw new IscsiTransportException(PrIn, "scsi_datain_unmarshall could not parse READ KEYS data");
                }
                var header = (Interop.Iscsi.scsi_persistent_reserve_in_read_keys*)data;
                var keys = new ReadOnlySpan<ulong>((byte*)data + Interop.Iscsi.ReadKeysKeysOffset, header->num_keys).ToArray();
                return new PersistentReservationKeys(header->prgeneration, keys);
            }
        }
    }

    /// <summary>PERSISTENT RESERVE IN / READ RESERVATION.</summary>
    public PersistentReservation ReadReservation()
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            SafeScsiTaskHandle raw;
            using (AsynchronousSignalsBlocked.Enter())
            {
                raw = Interop.Iscsi.iscsi_persistent_reserve_in_sync(_context, Lun, Interop.Iscsi.SCSI_PERSISTENT_RESERVE_READ_RESERVATION, IscsiLimits.ReadReservationAllocationLength);
            }
            using var task = Complete(PrIn, raw);
            ThrowIfNotGood(PrIn, task);
            var data = Unmarshall<Interop.Iscsi.scsi_persistent_reserve_in_read_reservation>(PrIn, task);
            return data.reserved != 0
                ? new PersistentReservation(data.prgeneration, true, data.reservation_key, (PersistentReservationType)data.pr_type)
                : new PersistentReservation(data.prgeneration, false, 0, null);
        }
    }

    private static int CheckType(PersistentReservationType type) =>
        Enum.IsDefined(type) ? (int)type : throw new ArgumentOutOfRangeException(nameof(type), type, "not a persistent reservation type");

    private void ReserveOut(PersistentReserveOutAction action, ulong key, ulong serviceActionKey, int type)
    {
        var outcome = ReserveOutOutcome(action, key, serviceActionKey, type);
        if (!outcome.IsGood)
        {
            throw ScsiCommandException.For(PrOut, outcome);
        }
    }

    /// <summary>Sends one PR OUT and returns the target's answer; only transport failures throw.</summary>
    private ScsiOutcome ReserveOutOutcome(PersistentReserveOutAction action, ulong key, ulong serviceActionKey, int type)
    {
        var parameters = new Interop.Iscsi.scsi_persistent_reserve_out_basic
        {
            reservation_key = key,
            service_action_reservation_key = serviceActionKey,
        };
        lock (_gate)
        {
            ThrowIfUnusable();
            SafeScsiTaskHandle raw;
            unsafe
            {
                using var signals = AsynchronousSignalsBlocked.Enter();
                raw = Interop.Iscsi.iscsi_persistent_reserve_out_sync(
                    _context, Lun, (int)action, Interop.Iscsi.SCSI_PERSISTENT_RESERVE_SCOPE_LU, type, &parameters);
            }
            using var task = Complete(PrOut, raw);
            return OutcomeOf(task);
        }
    }
}
