namespace HaAgent.Coordinator.Store;

/// <summary>The waiting part of a campaign, shared by both stores: one attempt per poll interval until one wins.</summary>
internal static class LeadershipCampaign
{
    public static async Task<Leadership> RunAsync(
        Func<CancellationToken, Task<Leadership?>> tryAcquire,
        TimeSpan pollInterval,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await tryAcquire(cancellationToken).ConfigureAwait(false) is { } leadership)
                {
                    return leadership;
                }
            }
            catch (StoreUnavailableException)
            {
                // A store that does not answer is a reason to keep trying, not to give up the campaign.
            }
            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
