namespace HaAgent.NativeInterop.Processes;

/// <summary>A watched process exited; <see cref="Timestamp"/> is <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when poll() saw it.</summary>
public readonly record struct ProcessExited(int Pid, PidFd Handle, long Timestamp);
