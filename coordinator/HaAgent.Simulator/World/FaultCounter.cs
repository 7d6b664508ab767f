namespace HaAgent.Simulator.World;

/// <summary>An injected fault that fires a number of times, or always.</summary>
internal sealed class FaultCounter
{
    private long _remaining;

    /// <summary>Fires <paramref name="times"/> more times; -1 means always.</summary>
    public void Arm(long times) => _remaining = times;

    /// <summary>True when the fault fires now.</summary>
    public bool Take()
    {
        if (_remaining == 0)
        {
            return false;
        }
        if (_remaining > 0)
        {
            _remaining--;
        }
        return true;
    }
}
