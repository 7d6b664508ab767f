using HaAgent.Agent.Configuration;
using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.Agent.Storage;

/// <summary>
/// The agent's own long-lived sessions, one per LUN, as this host's initiator. Long-lived on purpose: on tgt a
/// registration belongs to the session, and a preempting session holds the reservation — closing it would release a
/// registrants-only reservation and let a fenced host write again. A session broken by a transport failure is
/// replaced on next use (the new one starts unregistered).
/// </summary>
internal sealed class IscsiSessionPool : IDisposable
{
    private readonly IscsiAgentOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<IscsiLunAddress, IscsiSession> _sessions = [];
    private bool _disposed;

    public IscsiSessionPool(IscsiAgentOptions options)
    {
        _options = options;
    }

    public IscsiAgentOptions Options => _options;

    public ulong OwnKey => _options.ReservationKeyValue;

    /// <summary>The usable session to <paramref name="lun"/>, connecting if needed; <paramref name="isNew"/> tells whether this nexus is fresh (unregistered).</summary>
    public IscsiSession Get(IscsiLunAddress lun, out bool isNew)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sessions.TryGetValue(lun, out var existing))
            {
                if (existing.IsUsable)
                {
                    isNew = false;
                    return existing;
                }
                existing.Dispose();
                _sessions.Remove(lun);
            }
            var session = IscsiSession.Connect(lun.Portal, lun.TargetIqn, lun.Lun, _options.InitiatorIqn, _options.CommandTimeout);
            _sessions[lun] = session;
            isNew = true;
            return session;
        }
    }

    /// <summary>The candidate portals for a target that names none (or the one it names).</summary>
    public IReadOnlyList<string> PortalsFor(string? portal) => portal is null ? _options.Portals : [portal];

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var session in _sessions.Values)
            {
                session.Dispose();
            }
            _sessions.Clear();
        }
    }
}
