namespace HaAgent.Ctl;

/// <summary>The command line was well-formed but cannot be acted on (an unreadable token file): exit 3.</summary>
internal sealed class UsageException(string message) : Exception(message);
