using System.Collections.Concurrent;

namespace HaAgent.Agent.Restart;

/// <summary>
/// One order at a time per VM (start and stop share it): a stop racing a start of the same VM could otherwise read
/// "not running", return success, and let the start go on. Different VMs start in parallel.
/// </summary>
internal sealed class VmOrderLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    public async Task<IDisposable> AcquireAsync(Guid vm, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(vm, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
