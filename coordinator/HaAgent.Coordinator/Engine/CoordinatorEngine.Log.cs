using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEngine
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.EngineLeading, LogLevel.Information, "engine starting its term with epoch {Epoch}")]
        public static partial void Leading(ILogger logger, long epoch);

        [LoggerMessage(EventIds.EngineStopped, LogLevel.Warning, "engine stopped its term with epoch {Epoch}: {Reason}; queued orders cleared")]
        public static partial void Stopped(ILogger logger, long epoch, string reason);

        [LoggerMessage(EventIds.EngineLoaded, LogLevel.Information,
            "engine loaded for epoch {Epoch}: {Hosts} hosts, {Vms} HA VMs, snapshot {HasSnapshot} with {Placed} placed VMs, in {Milliseconds} ms")]
        public static partial void Loaded(ILogger logger, long epoch, int hosts, int vms, bool hasSnapshot, int placed, long milliseconds);

        [LoggerMessage(EventIds.EngineRebuilt, LogLevel.Information, "engine rebuilt the core after a document change (epoch {Epoch}): {Hosts} hosts, {Vms} HA VMs, in {Milliseconds} ms")]
        public static partial void Rebuilt(ILogger logger, long epoch, int hosts, int vms, long milliseconds);

        [LoggerMessage(EventIds.EngineStoreUnavailable, LogLevel.Warning, "engine: store unavailable, retrying next step: {Message}")]
        public static partial void StoreUnavailable(ILogger logger, string message);

        [LoggerMessage(EventIds.EngineNoDefinition, LogLevel.Warning, "start of {VmId} on {HostId} not sent: no domain definition stored")]
        public static partial void NoDefinition(ILogger logger, string vmId, string hostId);

        [LoggerMessage(EventIds.EngineDocumentSkipped, LogLevel.Warning, "engine skipped {Key}: {Problem}")]
        public static partial void DocumentSkipped(ILogger logger, string key, string problem);

        [LoggerMessage(EventIds.EngineDefinitionIgnored, LogLevel.Warning, "definition of {VmId} from {HostId} ignored: the VM is assigned to {Owner}")]
        public static partial void DefinitionIgnored(ILogger logger, string vmId, string hostId, string owner);

        [LoggerMessage(EventIds.EngineNoOutbox, LogLevel.Warning, "engine idle: no agent endpoint (IAgentOrderOutbox) is registered, so no order could reach an agent")]
        public static partial void NoOutbox(ILogger logger);

        [LoggerMessage(EventIds.EngineChangesApplied, LogLevel.Debug, "engine applied {Applied} document change(s) to the live core in {Milliseconds} ms; {Deferred} left for later")]
        public static partial void ChangesApplied(ILogger logger, int applied, int deferred, long milliseconds);

        [LoggerMessage(EventIds.EngineFeedGap, LogLevel.Warning, "engine: audit feed jumped from {After} to {Sequence}; rebuilding the core from every document")]
        public static partial void FeedGap(ILogger logger, long after, long sequence);

        [LoggerMessage(EventIds.EngineVmHostsWritten, LogLevel.Debug, "engine wrote the host of {Written} VM document(s) in {Milliseconds} ms; {Left} left for the next iterations")]
        public static partial void VmHostsWritten(ILogger logger, int written, int left, long milliseconds);

        [LoggerMessage(EventIds.EngineFailed, LogLevel.Error, "engine term with epoch {Epoch} failed; starting over")]
        public static partial void Failed(ILogger logger, long epoch, Exception exception);
    }
}
