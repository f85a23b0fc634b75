using System.Buffers.Binary;

namespace SmbSign.Protocol.Security.Ntlmssp;

/// <summary>[MS-NLMP] 2.2.1.3 AUTHENTICATE_MESSAGE: LmChallengeResponse @12, NtChallengeResponse @20, DomainName @28,
/// UserName @36, Workstation @44, EncryptedRandomSessionKey @52, NegotiateFlags @60, Version @64, MIC @72, payload
/// from 88 (72 without a MIC). The writer takes already-computed response fields and leaves the 16-byte MIC zeroed at
/// <see cref="MicOffset"/> so the caller can compute the MIC over the whole message and patch it with <see cref="WriteMic"/>.</summary>
public sealed record NtlmAuthenticateMessage
{
    public const int VersionOffset = 64;
    public const int MicOffset = 72;
    public const int MicSize = 16;
    public const int PayloadOffsetWithMic = MicOffset + MicSize;
    public const int PayloadOffsetWithoutMic = MicOffset;

    public ReadOnlyMemory<byte> LmChallengeResponse { get; init; }

    public ReadOnlyMemory<byte> NtChallengeResponse { get; init; }

    public string? DomainName { get; init; }

    public string? UserName { get; init; }

    public string? Workstation { get; init; }

    public ReadOnlyMemory<byte> EncryptedRandomSessionKey { get; init; }

    public NtlmNegotiateFlags Flags { get; init; }

    public NtlmVersion Version { get; init; } = new(10, 0, 20348);

    /// <summary>When writing: reserve the MIC slot. When read: whether the message had one.</summary>
    public bool HasMic { get; init; } = true;

    /// <summary>The MIC as read (zeros when written); empty when <see cref="HasMic"/> is false.</summary>
    public ReadOnlyMemory<byte> Mic { get; init; }

    private bool Unicode => (Flags & NtlmNegotiateFlags.Unicode) != 0;

    public int GetEncodedLength() => (HasMic ? PayloadOffsetWithMic : PayloadOffsetWithoutMic)
        + LmChallengeResponse.Length + NtChallengeResponse.Length + EncryptedRandomSessionKey.Length
        + NtlmMessage.EncodeString(DomainName, Unicode).Length + NtlmMessage.EncodeString(UserName, Unicode).Length
        + NtlmMessage.EncodeString(Workstation, Unicode).Length;

    /// <summary>Writes the message with a zero MIC; returns the bytes written. Payload order: domain, user, workstation, LM, NT, session key.</summary>
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
        BinaryPrimitives.WriteUInt32LittleEndian(message[8..], (uint)NtlmMessageType.Authenticate);
        int payload = HasMic ? PayloadOffsetWithMic : PayloadOffsetWithoutMic;
        payload = NtlmMessage.WriteField(message, 28, payload, NtlmMessage.EncodeString(DomainName, Unicode));
        payload = NtlmMessage.WriteField(message, 36, payload, NtlmMessage.EncodeString(UserName, Unicode));
        payload = NtlmMessage.WriteField(message, 44, payload, NtlmMessage.EncodeString(Workstation, Unicode));
        payload = NtlmMessage.WriteField(message, 12, payload, LmChallengeResponse.Span);
        payload = NtlmMessage.WriteField(message, 20, payload, NtChallengeResponse.Span);
        payload = NtlmMessage.WriteField(message, 52, payload, EncryptedRandomSessionKey.Span);
        BinaryPrimitives.WriteUInt32LittleEndian(message[60..], (uint)Flags);
        Version.Write(message[VersionOffset..]);
        return payload;
    }

    public byte[] ToArray()
    {
        byte[] message = new byte[GetEncodedLength()];
        WriteTo(message);
        return message;
    }

    /// <summary>Patches the 16-byte MIC into a message written with <see cref="HasMic"/> = true.</summary>
    public static void WriteMic(Span<byte> message, ReadOnlySpan<byte> mic)
    {
        if (mic.Length != MicSize)
        {
            throw new ArgumentException($"A MIC is {MicSize} bytes.", nameof(mic));
        }

        if (message.Length < PayloadOffsetWithMic)
        {
            throw new ArgumentException("The message has no MIC slot.", nameof(message));
        }

        mic.CopyTo(message[MicOffset..]);
    }

    /// <summary>Reads an AUTHENTICATE_MESSAGE. The MIC is taken as present when every non-empty payload field starts at
    /// or after byte 88 (Wireshark's rule); every (offset, length) is checked against the token.</summary>
    public static NtlmAuthenticateMessage Parse(ReadOnlySpan<byte> message)
    {
        NtlmMessage.ReadHeader(message, NtlmMessageType.Authenticate, VersionOffset);
        var flags = (NtlmNegotiateFlags)BinaryPrimitives.ReadUInt32LittleEndian(message[60..]);
        bool unicode = (flags & NtlmNegotiateFlags.Unicode) != 0;
        uint firstPayload = uint.MaxValue;
        foreach (int descriptor in new[] { 12, 20, 28, 36, 44, 52 })
        {
            (ushort length, uint offset) = NtlmMessage.ReadDescriptor(message, descriptor);
            if (length > 0)
            {
                firstPayload = Math.Min(firstPayload, offset);
            }
        }

        bool hasVersion = firstPayload >= VersionOffset + NtlmVersion.Size && message.Length >= VersionOffset + NtlmVersion.Size;
        bool hasMic = firstPayload >= PayloadOffsetWithMic && message.Length >= PayloadOffsetWithMic;
        return new NtlmAuthenticateMessage
        {
            LmChallengeResponse = NtlmMessage.ReadField(message, 12, "LmChallengeResponse").ToArray(),
            NtChallengeResponse = NtlmMessage.ReadField(message, 20, "NtChallengeResponse").ToArray(),
            DomainName = NtlmMessage.ReadString(message, 28, "DomainName", unicode),
            UserName = NtlmMessage.ReadString(message, 36, "UserName", unicode),
            Workstation = NtlmMessage.ReadString(message, 44, "Workstation", unicode),
            EncryptedRandomSessionKey = NtlmMessage.ReadField(message, 52, "EncryptedRandomSessionKey").ToArray(),
            Flags = flags,
            Version = hasVersion ? NtlmVersion.Read(message[VersionOffset..]) : default,
            HasMic = hasMic,
            Mic = hasMic ? message.Slice(MicOffset, MicSize).ToArray() : ReadOnlyMemory<byte>.Empty,
        };
    }
}
