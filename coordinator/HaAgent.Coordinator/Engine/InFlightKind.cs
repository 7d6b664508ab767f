namespace HaAgent.Coordinator.Engine;

internal enum InFlightKind
{
    Fence,
    Unfence,
    Start,
    Stop,
}
