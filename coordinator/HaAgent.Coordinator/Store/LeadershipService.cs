namespace HaAgent.Coordinator.Store;

/// <summary>
/// Campaigns until this coordinator leads, holds leadership until <see cref="Leadership.Lost"/> fires, then
/// campaigns again. Whatever gives orders reads <see cref="ICoordinatorStore.CurrentLeadership"/> and must stop the
/// moment its Lost token fires.
/// </summary>
internal sealed partial class LeadershipService(ICoordinatorStore store, ILogger<LeadershipService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Log.CampaignStarted(logger, store.InstanceId);
            Leadership leadership;
            try
            {
                leadership = await store.CampaignAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Log.Leading(logger, leadership.InstanceId, leadership.Epoch);
            using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.Lost);
            try
            {
                await Task.Delay(Timeout.Infinite, held.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            if (leadership.LossReason is { } reason)
            {
                Log.LeadershipLost(logger, leadership.InstanceId, leadership.Epoch, reason);
            }
        }
    }
}
