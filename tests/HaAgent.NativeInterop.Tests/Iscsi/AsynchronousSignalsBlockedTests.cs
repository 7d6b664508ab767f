using System.Globalization;
using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>
/// libiscsi's sync calls fail with "Poll failed" when a signal interrupts poll(); the guard around them must block
/// SIGCHLD and friends on the calling thread, keep fault signals deliverable, and restore the mask afterwards.
/// </summary>
public sealed class AsynchronousSignalsBlockedTests
{
    private const int SIGSEGV = 11;
    private const int SIGCHLD = 17;
    private const int SIGTERM = 15;

    [Fact]
    public void Enter_BlocksAsynchronousSignalsOnlyInsideTheScope()
    {
        var before = BlockedSignalsOfThisThread();

        ulong inside;
        using (AsynchronousSignalsBlocked.Enter())
        {
            inside = BlockedSignalsOfThisThread();
        }
        var after = BlockedSignalsOfThisThread();

        Assert.True(IsSet(inside, SIGCHLD), $"SigBlk {inside:x16}");
        Assert.True(IsSet(inside, SIGTERM), $"SigBlk {inside:x16}");
        Assert.False(IsSet(inside, SIGSEGV), $"SigBlk {inside:x16}");
        Assert.Equal(before, after);
    }

    private static bool IsSet(ulong mask, int signal) => (mask & (1UL << (signal - 1))) != 0;

    /// <summary>The low 64 signals of this thread's blocked mask, as the kernel reports it.</summary>
    private static ulong BlockedSignalsOfThisThread()
    {
        var line = File.ReadLines("/proc/thread-self/status").First(l => l.StartsWith("SigBlk:", StringComparison.Ordinal));
        return ulong.Parse(line["SigBlk:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
