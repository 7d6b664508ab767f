namespace HaAgent.Core.Tests.Properties;

/// <summary>A generated fault: second, index into <see cref="RandomStory.Kinds"/>, host index.</summary>
internal sealed record RandomFault(int At, int Kind, int Host);
