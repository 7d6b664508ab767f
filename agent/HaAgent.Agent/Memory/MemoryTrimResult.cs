using HaAgent.NativeInterop.Memory;

namespace HaAgent.Agent.Memory;

/// <summary>The process's memory before and after the start-up trim (bytes), and the managed heap after it.</summary>
internal sealed record MemoryTrimResult(ResidentMemory Before, ResidentMemory After, long GcCommitted, long GcLive, int MappingsPagedOut, TimeSpan Took);
