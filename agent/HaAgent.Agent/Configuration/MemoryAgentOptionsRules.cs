namespace HaAgent.Agent.Configuration;

/// <summary>Checks of <c>Memory:*</c>.</summary>
internal static class MemoryAgentOptionsRules
{
    public static void Check(MemoryAgentOptions memory, List<string> failures)
    {
        if (memory.SettleTime < TimeSpan.FromSeconds(1) || memory.SettleTime > TimeSpan.FromHours(1))
        {
            failures.Add($"Memory:SettleTime is {memory.SettleTime}; must be between 1 s and 1 hour (start-up must be over before the trim)");
        }
    }
}
