using HaAgent.Testing.Lab;
using Xunit.Abstractions;

namespace HaAgent.EndToEnd.Tests;

/// <summary>Starts a lab for one test, narrating into the test output; skips when the machine cannot run one.</summary>
internal static class LabSession
{
    public static async Task<Lab> StartAsync(ITestOutputHelper output, int hosts = 2, params string[] images)
    {
        LabRequirements.Check();
        return await Lab.StartAsync(new LabOptions
        {
            Hosts = hosts,
            Images = images.Length > 0 ? images : ["vm1"],
            Log = line => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"),
        });
    }
}
