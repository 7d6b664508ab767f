using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>A tiny C launcher: prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) — inherited across execve — then exec.</summary>
internal static class MdweLauncher
{
    private const string Source = """
        #include <stdio.h>
        #include <sys/prctl.h>
        #include <unistd.h>
        #ifndef PR_SET_MDWE
        #define PR_SET_MDWE 65
        #endif
        int main(int argc, char **argv) {
            if (argc < 2) return 64;
            if (prctl(PR_SET_MDWE, 1UL, 0UL, 0UL, 0UL) != 0) { perror("prctl(PR_SET_MDWE)"); return 69; }
            execv(argv[1], argv + 1);
            perror("execv");
            return 127;
        }
        """;

    /// <returns>The launcher's path, or null when the kernel refuses PR_SET_MDWE.</returns>
    public static async Task<string?> BuildAsync(string directory)
    {
        var source = Path.Combine(directory, "mdwe.c");
        var binary = Path.Combine(directory, "mdwe");
        await File.WriteAllTextAsync(source, Source);
        (await ProcessRunner.RunAsync("cc", ["-O2", "-o", binary, source], TimeSpan.FromSeconds(60))).EnsureSuccess("cc mdwe.c");
        var probe = await ProcessRunner.RunAsync(binary, ["/bin/true"], TimeSpan.FromSeconds(10));
        return probe.ExitCode == 0 ? binary : null;
    }
}
