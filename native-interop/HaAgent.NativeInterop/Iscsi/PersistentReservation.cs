namespace HaAgent.NativeInterop.Iscsi;

/// <summary>READ RESERVATION: who holds the reservation and of which type; <see cref="IsReserved"/> false when nobody does.</summary>
public sealed record PersistentReservation(uint Generation, bool IsReserved, ulong Key, PersistentReservationType? Type);
