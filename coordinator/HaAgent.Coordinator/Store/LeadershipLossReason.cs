namespace HaAgent.Coordinator.Store;

internal enum LeadershipLossReason
{
    /// <summary>No renewal was acknowledged before the lease could have expired on the server.</summary>
    LeaseExpired = 1,

    /// <summary>The store shows another leader or no leader key of this term any more.</summary>
    Superseded = 2,

    Resigned = 3,

    StoreDisposed = 4,
}
