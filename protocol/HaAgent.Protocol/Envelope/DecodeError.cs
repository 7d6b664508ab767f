namespace HaAgent.Protocol.Envelope;

/// <summary>Why a frame was refused. <see cref="HostId"/> is set once the header was readable, for the log line.</summary>
public readonly record struct DecodeError(DecodeErrorKind Kind, string? Field, string? HostId, string Detail)
{
    public override string ToString() =>
        Field is null ? $"{Kind} (host {HostId ?? "?"}): {Detail}" : $"{Kind} {Field} (host {HostId ?? "?"}): {Detail}";
}
