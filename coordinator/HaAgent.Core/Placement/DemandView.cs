namespace HaAgent.Core.Placement;

/// <summary>
/// The host scan for one demand (memory, cpus) of single VMs without rules, kept up to date instead of redone.
/// Within a plan hosts only lose room (free memory and cpus fall, starts rise), so a host's verdict for a demand
/// only moves from feasible to rejected and its rank only falls. The view therefore keeps, per host, the reason it
/// is rejected (for exact counts) and the <c>K</c> best feasible hosts; after each placement only the changed hosts
/// are re-checked. Invariant: <see cref="_top"/> holds exactly the feasible hosts that rank at or before the
/// threshold key taken when the view was built, best first; every other feasible host ranks after it. When fewer
/// than two remain and others may exist, the view rescans. Rank: more free memory first, then lower host index.
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
    private readonly int[] _top;
    private int _topCount;
    private bool _hasThreshold;
    private long _thresholdFree;
    private int _thresholdHost;
    private int _logPosition;

    public DemandView(int[] eligible, int[] starts, long[] freeMemory, long[] freeCpus, long maxStarts, long needMemory, long needCpus, int keep)
    {
        _eligible = eligible;
        _starts = starts;
        _freeMemory = freeMemory;
        _freeCpus = freeCpus;
        _startsCeiling = maxStarts - 1;
        _needMemory = needMemory;
        _needCpus = needCpus;
        _verdict = new byte[starts.Length];
        _top = new int[Math.Max(2, keep)];
    }

    public bool Built { get; private set; }

    public int StartLimitedCount => _counts[StartLimited];

    public int NoMemoryCount => _counts[NoMemory];

    public int NoCpuCount => _counts[NoCpu];

    public int FeasibleCount => _counts[Feasible];

    public int Best => _topCount > 0 ? _top[0] : -1;

    public int RunnerUp => _topCount > 1 ? _top[1] : -1;

    /// <summary>Brings the view up to date with the hosts changed since it last looked (<paramref name="changes"/> is the plan's log).</summary>
    public void Refresh(List<int> changes)
    {
        if (!Built)
        {
            Build(changes.Count);
            return;
        }
        for (var i = _logPosition; i < changes.Count; i++)
        {
            Recheck(changes[i]);
        }
        _logPosition = changes.Count;
        if (_hasThreshold && _topCount < 2)
        {
            Build(changes.Count);
        }
    }

    private void Build(int logPosition)
    {
        Built = true;
        _logPosition = logPosition;
        Array.Clear(_counts);
        _topCount = 0;
        foreach (var h in _eligible)
        {
            var verdict = Judge(h);
            _verdict[h] = verdict;
            _counts[verdict]++;
            if (verdict == Feasible && (_topCount < _top.Length || RanksBefore(h, _top[_topCount - 1])))
            {
                Insert(h);
            }
        }
        _hasThreshold = _topCount == _top.Length;
        if (_hasThreshold)
        {
            _thresholdHost = _top[_topCount - 1];
            _thresholdFree = _freeMemory[_thresholdHost];
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
        var at = Array.IndexOf(_top, h, 0, _topCount);
        if (at >= 0)
        {
            Array.Copy(_top, at + 1, _top, at, _topCount - at - 1);
            _topCount--;
        }
        if (now == Feasible && at >= 0 && (!_hasThreshold || AtOrBeforeThreshold(h)))
        {
            Insert(h);
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

    /// <summary>Sorted insert, best first; when full the worst falls off (only while building).</summary>
    private void Insert(int h)
    {
        var i = Math.Min(_topCount, _top.Length - 1);
        if (_topCount < _top.Length)
        {
            _topCount++;
        }
        while (i > 0 && RanksBefore(h, _top[i - 1]))
        {
            _top[i] = _top[i - 1];
            i--;
        }
        _top[i] = h;
    }

    private bool RanksBefore(int a, int b) =>
        _freeMemory[a] > _freeMemory[b] || (_freeMemory[a] == _freeMemory[b] && a < b);

    private bool AtOrBeforeThreshold(int h) =>
        _freeMemory[h] > _thresholdFree || (_freeMemory[h] == _thresholdFree && h <= _thresholdHost);
}
