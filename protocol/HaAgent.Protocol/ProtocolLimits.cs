namespace HaAgent.Protocol;

/// <summary>
/// Every size and count the protocol accepts, in one place. They are checked on input before or right after parsing,
/// so a peer (or an attacker holding no secret) cannot make either side allocate beyond them.
/// </summary>
public static class ProtocolLimits
{
    /// <summary>The only protocol version this build speaks. Bump it for any incompatible change of a message.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>A whole frame (header, body and MAC). Checked before anything is read.</summary>
    public const int MaxEnvelopeBytes = 1024 * 1024;

    /// <summary>A libvirt domain XML inside a start order.</summary>
    public const int MaxDomainXmlChars = 256 * 1024;

    /// <summary>Host, VM, order and volume ids, iSCSI target names.</summary>
    public const int MaxIdChars = 128;

    /// <summary>Free text: failure messages, self-fence reasons, agent versions.</summary>
    public const int MaxTextChars = 4096;

    /// <summary>Items in any list (VMs in a report, addresses, volumes, keys, capabilities).</summary>
    public const int MaxListItems = 4096;

    /// <summary>JSON nesting; the deepest message needs 5.</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>Bytes of the random nonce in every frame.</summary>
    public const int NonceBytes = 16;

    /// <summary>Bytes of the HMAC-SHA256 tag.</summary>
    public const int MacBytes = 32;

    /// <summary>Shortest per-host secret accepted; shorter keys weaken HMAC-SHA256.</summary>
    public const int MinSecretBytes = 32;

    /// <summary>Default tolerated difference between the sender's and the receiver's clocks.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>Default number of nonces remembered (all hosts together) to refuse replays.</summary>
    public const int DefaultReplayCacheCapacity = 100_000;
}
