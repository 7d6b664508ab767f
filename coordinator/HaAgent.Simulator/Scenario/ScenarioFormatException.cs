namespace HaAgent.Simulator.Scenario;

/// <summary>A scenario file is malformed. The message names the file, the line and what was expected.</summary>
internal sealed class ScenarioFormatException(string file, int line, string message)
    : Exception($"{file}:{line}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
}
