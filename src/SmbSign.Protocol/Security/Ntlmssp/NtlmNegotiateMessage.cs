using System.Buffers.Binary;

namespace SmbSign.Protocol.Security.Ntlmssp;

/// <summary>[MS-NLMP] 2.2.1.1 NEGOTIATE_MESSAGE. Domain and workstation are OEM strings (sent only with the
/// OEM_*_SUPPLIED flags, which <see cref="WriteTo"/> sets when they are non-null).</summary>
public sealed record NtlmNegotiateMessage
{
    public const int FixedSize = 32;
    public const int VersionOffset = 32;

    /// <summary>The flags a prober sends to make the server disclose its target info and version
    /// (0xE2888217: 56, KEY_EXCH, 128, VERSION, TARGET_INFO, EXTENDED_SESSIONSECURITY, ALWAYS_SIGN, NTLM, SIGN, REQUEST_TARGET, OEM, UNICODE).</summary>
    public const NtlmNegotiateFlags DefaultFlags = NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.Oem | NtlmNegotiateFlags.RequestTarget
        | NtlmNegotiateFlags.Sign | NtlmNegotiateFlags.Ntlm | NtlmNegotiateFlags.AlwaysSign | NtlmNegotiateFlags.ExtendedSessionSecurity
        | NtlmNegotiateFlags.TargetInfo | NtlmNegotiateFlags.Version | NtlmNegotiateFlags.Use128 | NtlmNegotiateFlags.KeyExchange
        | NtlmNegotiateFlags.Use56;

    public NtlmNegotiateFlags Flags { get; init; } = DefaultFlags;

    public string? DomainName { get; init; }

    public string? Workstation { get; init; }

    /// <summary>Written when <see cref="Flags"/> has VERSION; SmbSign announces 10.0.20348 by default.</summary>
    public NtlmVersion Version { get; init; } = new(10, 0, 20348);

    private bool HasVersion => (Flags & NtlmNegotiateFlags.Version) != 0;

    private NtlmNegotiateFlags EffectiveFlags =>
        (Flags & ~(NtlmNegotiateFlags.OemDomainSupplied | NtlmNegotiateFlags.OemWorkstationSupplied))
        | (string.IsNullOrEmpty(DomainName) ? 0 : NtlmNegotiateFlags.OemDomainSupplied)
        | (string.IsNullOrEmpty(Workstation) ? 0 : NtlmNegotiateFlags.OemWorkstationSupplied);

    public int GetEncodedLength() => FixedSize + (HasVersion ? NtlmVersion.Size : 0)
        + NtlmMessage.EncodeString(DomainName, false).Length + NtlmMessage.EncodeString(Workstation, false).Length;

    public int WriteTo(Span<byte> destination)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes, has {destination.Length}.", nameof(destination));
        }

        Span<byte> message = destination[..length];
        message.Clear();
        NtlmMessage.Signature.CopyTo(message);
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], (uint)NtlmMessageType.Negotiate);
        BinaryPrimitives.WriteUInt32LittleEndian(message[12..], (uint)EffectiveFlags);
        int payload = FixedSize + (HasVersion ? NtlmVersion.Size : 0);
        payload = NtlmMessage.WriteField(message, 16, payload, NtlmMessage.EncodeString(DomainName, false));
        payload = NtlmMessage.WriteField(message, 24, payload, NtlmMessage.EncodeString(Workstation, false));
        if (HasVersion)
        {
            Version.Write(message[VersionOffset..]);
        }

        return payload;
    }

    public byte[] ToArray()
    {
        byte[] message = new byte[GetEncodedLength()];
        WriteTo(message);
        return message;
    }

    public static NtlmNegotiateMessage Parse(ReadOnlySpan<byte> message)
    {
        NtlmMessage.ReadHeader(message, NtlmMessageType.Negotiate, FixedSize);
        var flags = (NtlmNegotiateFlags)BinaryPrimitives.ReadUInt32LittleEndian(message[12..]);
        bool hasVersion = (flags & NtlmNegotiateFlags.Version) != 0 && message.Length >= FixedSize + NtlmVersion.Size;
        return new NtlmNegotiateMessage
        {
            Flags = flags,
            DomainName = NtlmMessage.ReadString(message, 16, "DomainName", unicode: false),
            Workstation = NtlmMessage.ReadString(message, 24, "Workstation", unicode: false),
            Version = hasVersion ? NtlmVersion.Read(message[VersionOffset..]) : default,
        };
    }
}
