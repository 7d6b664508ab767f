namespace HaAgent.Core.Placement;

/// <summary>
/// The host scan for one demand (memory, cpus) of single VMs without rules, kept up to date instead of redone.
/// Within a plan hosts only lose room (free memory and cpus fall, starts rise), so a host's verdict for a demand
/// only moves from feasible to rejected and its rank only falls. The view keeps, per host, why it is rejected (for
/// exact counts) and the feasible hosts in an indexed max-heap ordered like the scan (more free memory first, then
/// lower host index); after each placement only the changed host is re-checked, O(log hosts).
/// </summary>
internal sealed class DemandView
{
    private const byte Feasible = 0;
    private const byte StartLimited = 1;
    private const byte NoMemory = 2;
    private const byte NoCpu = 3;

    private readonly int[] _eligible;
    private readonly int[] _starts;
    private readonly long[] _freeMemory;
    private readonly long[] _freeCpus;
    private readonly long _startsCeiling;
    private readonly long _needMemory;
    private readonly long _needCpus;

    private readonly byte[] _verdict;
    private readonly int[] _counts = new int[4];
    private readonly int[] _heap;
    private readonly int[] _position;
    private int _heapCount;
    private bool _built;

    public DemandView(int[] eligible, int[] starts, long[] freeMemory, long[] freeCpus, long maxStarts, long needMemory, long needCpus)
    {
        _eligible = eligible;
        _starts = starts;
        _freeMemory = freeMemory;
        _freeCpus = freeCpus;
        _startsCeiling = maxStarts - 1;
        _needMemory = needMemory;
        _needCpus = needCpus;
        _verdict = new byte[starts.Length];
        _heap = new int[eligible.Length];
        _position = new int[starts.Length];
    }

    public int StartLimitedCount => _counts[StartLimited];

    public int NoMemoryCount => _counts[NoMemory];

    public int NoCpuCount => _counts[NoCpu];

    public int FeasibleCount => _counts[Feasible];

    public int Best => _heapCount > 0 ? _heap[0] : -1;

    public int RunnerUp => _heapCount switch
    {
        < 2 => -1,
        2 => _heap[1],
        _ => RanksBefore(_heap[1], _heap[2]) ? _heap[1] : _heap[2],
    };

    /// <summary>Builds the view from the hosts as they are now; later changes arrive through <see cref="HostChanged"/>.</summary>
    public void EnsureBuilt()
    {
        if (!_built)
        {
            Build();
        }
    }

    /// <summary>
    /// Host <paramref name="h"/> just lost room. Called after every single change, never batched: a heap fixes one
    /// worsened key at a time, while several pending ones can hide each other from the sift.
    /// </summary>
    public void HostChanged(int h)
    {
        if (_built)
        {
            Recheck(h);
        }
    }

    private void Build()
    {
        _built = true;
        Array.Fill(_position, -1);
        foreach (var h in _eligible)
        {
            var verdict = Judge(h);
            _verdict[h] = verdict;
            _counts[verdict]++;
            if (verdict == Feasible)
            {
                _heap[_heapCount] = h;
                _position[h] = _heapCount;
                _heapCount++;
            }
        }
        for (var i = _heapCount / 2 - 1; i >= 0; i--)
        {
            SiftDown(i);
        }
    }

    private void Recheck(int h)
    {
        var old = _verdict[h];
        var now = Judge(h);
        if (old != now)
        {
            _counts[old]--;
            _counts[now]++;
            _verdict[h] = now;
        }
        var at = _position[h];
        if (at < 0)
        {
            return;
        }
        if (now == Feasible)
        {
            SiftDown(at);
        }
        else
        {
            RemoveAt(at);
        }
    }

    private byte Judge(int h)
    {
        if (_starts[h] > _startsCeiling)
        {
            return StartLimited;
        }
        if (_freeMemory[h] < _needMemory)
        {
            return NoMemory;
        }
        return _freeCpus[h] < _needCpus ? NoCpu : Feasible;
    }

    private void RemoveAt(int at)
    {
        var removed = _heap[at];
        _position[removed] = -1;
        _heapCount--;
        if (at == _heapCount)
        {
            return;
        }
        var last = _heap[_heapCount];
        _heap[at] = last;
        _position[last] = at;
        SiftUp(at);
        SiftDown(_position[last]);
    }

    private void SiftUp(int at)
    {
        var h = _heap[at];
        while (at > 0)
        {
            var parent = (at - 1) / 2;
            if (!RanksBefore(h, _heap[parent]))
            {
                break;
            }
            _heap[at] = _heap[parent];
            _position[_heap[at]] = at;
            at = parent;
        }
        _heap[at] = h;
        _position[h] = at;
    }

    private void SiftDown(int at)
    {
        var h = _heap[at];
        while (true)
        {
            var child = 2 * at + 1;
            if (child >= _heapCount)
            {
                break;
            }
            if (child + 1 < _heapCount && RanksBefore(_heap[child + 1], _heap[child]))
            {
                child++;
            }
            if (!RanksBefore(_heap[child], h))
            {
                break;
            }
            _heap[at] = _heap[child];
            _position[_heap[at]] = at;
            at = child;
        }
        _heap[at] = h;
        _position[h] = at;
    }

    private bool RanksBefore(int a, int b) =>
        _freeMemory[a] > _freeMemory[b] || (_freeMemory[a] == _freeMemory[b] && a < b);
}
