namespace HaAgent.Core.Placement;

/// <summary>A feasible host and its score for the unit being placed; <see cref="Host"/> −1 means none.</summary>
internal readonly record struct Candidate(int Host, int SoftBroken, long Spread)
{
    public static Candidate None { get; } = new(-1, 0, 0);
}
