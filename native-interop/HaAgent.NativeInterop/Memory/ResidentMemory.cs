namespace HaAgent.NativeInterop.Memory;

/// <summary>
/// A process's resident memory in bytes, from /proc/PID/status (RSS and its split) and /proc/PID/smaps_rollup
/// (proportional and private shares).
/// </summary>
/// <param name="Rss">Every page mapped in the process's page tables, shared or not.</param>
/// <param name="Anonymous">Heap, stacks, copied-on-write pages of private file mappings.</param>
/// <param name="File">File pages mapped (binary, libraries): page cache, shared with any other process mapping the same file.</param>
/// <param name="Shmem">Shared memory (memfd, tmpfs, System V).</param>
/// <param name="Pss">Each page divided by the number of processes mapping it.</param>
/// <param name="Private">Pages no other process maps: what the process's exit would free.</param>
public sealed record ResidentMemory(long Rss, long Anonymous, long File, long Shmem, long Pss, long Private);
