using System.Text.RegularExpressions;
using HaAgent.Testing;

namespace HaAgent.NativeInterop.Tests.Architecture;

/// <summary>
/// Native code is reached only through native-interop, where every pointer sits behind a SafeHandle and every
/// error is typed. A P/Invoke anywhere else would bypass both, so the rule is checked on the source tree.
/// </summary>
public sealed partial class NativeBoundaryTests
{
    private static readonly string[] NativeMarkers =
    [
        "[LibraryImport",
        "[DllImport",
        "NativeLibrary.",
        "[UnmanagedCallersOnly",
        "static extern ",
        "Marshal.GetDelegateForFunctionPointer",
    ];

    [Fact]
    public void SourceTree_OutsideNativeInterop_CallsNoNativeCode()
    {
        var root = RepositoryPaths.Root;
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.StartsWith("native-interop/", StringComparison.Ordinal) || IsBuildOutput(relative))
            {
                continue;
            }
            var lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                // String literals are text, not calls (this test names the markers in them).
                var code = StringLiteral().Replace(line, "\"\"").TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith('*'))
                {
                    continue;
                }
                offenders.AddRange(NativeMarkers
                    .Where(marker => code.Contains(marker, StringComparison.Ordinal))
                    .Select(marker => $"{relative}:{lineNumber}: {marker}"));
            }
        }

        Assert.True(offenders.Count == 0, "native code outside native-interop:\n" + string.Join('\n', offenders));
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    private static bool IsBuildOutput(string relative) =>
        relative.Split('/').Any(part => part is "bin" or "obj" or "BenchmarkDotNet.Artifacts");
}
