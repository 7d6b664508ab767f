using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using HaAgent.Testing;

namespace HaAgent.Core.Tests.Model;

/// <summary>
/// Runs SPIN on a Promela model the way the model's README does by hand: generate the verifier (spin -a),
/// compile it (gcc), run it exhaustively (./pan), and when it finds an error replay the trail (spin -t).
/// </summary>
internal static partial class SpinVerifier
{
    /// <summary>Deeper than any path the models reach, so the search is never cut short by the depth bound.</summary>
    private const int MaxSearchDepth = 200_000;

    /// <summary>pan gives up with "out of memory" past this, instead of swapping the machine to death.</summary>
    private const int MemoryLimitMegabytes = 2048;

    /// <summary>What pan prints when something other than an error cut the search short.</summary>
    private static readonly string[] TruncationMarkers =
    [
        "Search not completed",
        "max search depth too small",
        "reached -DMEMLIM bound",
        "out of memory",
    ];

    private static readonly TimeSpan GenerateTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CompileTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan SearchTimeout = TimeSpan.FromSeconds(180);

    /// <summary>The model copied next to the test assembly by the test project.</summary>
    public static string ModelPath(string fileName) => Path.Combine(AppContext.BaseDirectory, "Model", fileName);

    /// <summary>Skips the calling test, naming what to install, when SPIN or the C compiler it needs is missing.</summary>
    public static void RequireTools()
    {
        Requires.Tools("spin", "spin");
        Requires.Tools("gcc", "gcc");
    }

    /// <summary>Verifies the safety assertions of <paramref name="modelPath"/> built with the given -D flags.</summary>
    public static async Task<SpinVerdict> VerifyAsync(string modelPath, params string[] defines)
    {
        using var work = new TempDirectory("spin");
        var model = Path.GetFileName(modelPath);
        File.Copy(modelPath, work.File(model));
        var flags = defines.Select(d => $"-D{d}").ToArray();

        (await RunInAsync(work.Path, GenerateTimeout, "spin", [.. flags, "-a", model]).ConfigureAwait(false))
            .EnsureSuccess($"spin -a {model}");
        (await RunInAsync(
                work.Path,
                CompileTimeout,
                "gcc",
                ["-O2", "-DSAFETY", $"-DMEMLIM={MemoryLimitMegabytes}", "-o", "pan", "pan.c"]).ConfigureAwait(false))
            .EnsureSuccess("gcc pan.c");

        var clock = Stopwatch.StartNew();
        // pan exits non-zero when it finds an error; its report says which, so the exit code is not checked.
        var search = await RunInAsync(work.Path, SearchTimeout, "./pan", [$"-m{MaxSearchDepth}"]).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var output = search.StandardOutput + search.StandardError;

        var errors = ErrorsPattern().Match(output);
        if (!errors.Success)
        {
            throw new InvalidOperationException($"pan printed no 'errors: N' line (exit code {search.ExitCode}):\n{output}");
        }

        string? trail = null;
        if (File.Exists(work.File(model + ".trail")))
        {
            trail = (await RunInAsync(work.Path, GenerateTimeout, "spin", [.. flags, "-t", "-c", model]).ConfigureAwait(false))
                .EnsureSuccess("spin -t")
                .StandardOutput;
        }

        var states = StatesStoredPattern().Match(output);
        var assertion = AssertionPattern().Match(output);
        return new SpinVerdict(
            Errors: int.Parse(errors.Groups[1].Value, CultureInfo.InvariantCulture),
            StatesStored: states.Success ? long.Parse(states.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            SearchWasExhaustive: output.Contains("Full statespace search for:", StringComparison.Ordinal)
                && !TruncationMarkers.Any(marker => output.Contains(marker, StringComparison.Ordinal)),
            ViolatedAssertion: assertion.Success ? assertion.Groups[1].Value : null,
            Trail: trail,
            Elapsed: elapsed,
            Output: output);
    }

    /// <summary>SPIN and pan write their files into the current directory, so each command runs inside <paramref name="directory"/>.</summary>
    private static Task<ProcessRunner.Result> RunInAsync(string directory, TimeSpan timeout, string command, IEnumerable<string> arguments) =>
        ProcessRunner.RunAsync("/bin/sh", ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory, command, .. arguments], timeout);

    [GeneratedRegex(@"errors: (\d+)")]
    private static partial Regex ErrorsPattern();

    [GeneratedRegex(@"(\d+) states, stored")]
    private static partial Regex StatesStoredPattern();

    [GeneratedRegex(@"assertion violated (.*?) \(at depth")]
    private static partial Regex AssertionPattern();
}
