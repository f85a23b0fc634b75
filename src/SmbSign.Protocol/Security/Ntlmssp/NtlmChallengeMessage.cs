using System.Buffers.Binary;

namespace SmbSign.Protocol.Security.Ntlmssp;

/// <summary>[MS-NLMP] 2.2.1.2 CHALLENGE_MESSAGE: TargetName @12, NegotiateFlags @20, ServerChallenge @24,
/// Reserved @32, TargetInfo @40, Version @48, payload from 56.</summary>
public sealed record NtlmChallengeMessage
{
    public const int FixedSize = 48;
    public const int VersionOffset = 48;

    public string? TargetName { get; init; }

    public NtlmNegotiateFlags Flags { get; init; }

    /// <summary>The 8-byte server challenge.</summary>
    public ReadOnlyMemory<byte> ServerChallenge { get; init; } = new byte[8];

    /// <summary>The raw AV_PAIR bytes exactly as received (NTLMv2 copies them into the client blob).</summary>
    public ReadOnlyMemory<byte> TargetInfoBytes { get; init; }

    /// <summary>The parsed <see cref="TargetInfoBytes"/>; null when the server sent none.</summary>
    public NtlmTargetInfo? TargetInfo { get; init; }

    /// <summary>The server's claimed OS version, when VERSION was negotiated and the field is present.</summary>
    public NtlmVersion? Version { get; init; }

    /// <summary>Reads a CHALLENGE_MESSAGE; every (offset, length) is checked against the token.</summary>
    public static NtlmChallengeMessage Parse(ReadOnlySpan<byte> message)
    {
        NtlmMessage.ReadHeader(message, NtlmMessageType.Challenge, FixedSize);
        var flags = (NtlmNegotiateFlags)BinaryPrimitives.ReadUInt32LittleEndian(message[20..]);
        bool unicode = (flags & NtlmNegotiateFlags.Unicode) != 0;
        ReadOnlySpan<byte> targetInfo = NtlmMessage.ReadField(message, 40, "TargetInfo");
        NtlmVersion? version = null;
        if ((flags & NtlmNegotiateFlags.Version) != 0 && message.Length >= VersionOffset + NtlmVersion.Size)
        {
            // The version slot exists only when the payload starts after it.
            (ushort nameLength, uint nameOffset) = NtlmMessage.ReadDescriptor(message, 12);
            (ushort infoLength, uint infoOffset) = NtlmMessage.ReadDescriptor(message, 40);
            uint firstPayload = Math.Min(nameLength > 0 ? nameOffset : uint.MaxValue, infoLength > 0 ? infoOffset : uint.MaxValue);
            if (firstPayload >= VersionOffset + NtlmVersion.Size)
            {
                version = NtlmVersion.Read(message[VersionOffset..]);
            }
        }

        return new NtlmChallengeMessage
        {
            TargetName = NtlmMessage.ReadString(message, 12, "TargetName", unicode),
            Flags = flags,
            ServerChallenge = message.Slice(24, 8).ToArray(),
            TargetInfoBytes = targetInfo.ToArray(),
            TargetInfo = targetInfo.IsEmpty ? null : NtlmTargetInfo.Parse(targetInfo),
            Version = version,
        };
    }

    /// <summary>Encodes the message (for responders and tests); TargetInfo comes from <see cref="TargetInfoBytes"/>,
    /// or from <see cref="TargetInfo"/> when the bytes are empty.</summary>
    public byte[] ToArray()
    {
        bool unicode = (Flags & NtlmNegotiateFlags.Unicode) != 0;
        byte[] name = NtlmMessage.EncodeString(TargetName, unicode);
        byte[] info = !TargetInfoBytes.IsEmpty ? TargetInfoBytes.ToArray() : TargetInfo?.Encode() ?? [];
        byte[] message = new byte[FixedSize + NtlmVersion.Size + name.Length + info.Length];
        NtlmMessage.Signature.CopyTo(message);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), (uint)NtlmMessageType.Challenge);
        int payload = FixedSize + NtlmVersion.Size;
        payload = NtlmMessage.WriteField(message, 12, payload, name);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(20), (uint)Flags);
        ServerChallenge.Span.CopyTo(message.AsSpan(24, 8));
        NtlmMessage.WriteField(message, 40, payload, info);
        (Version ?? default).Write(message.AsSpan(VersionOffset));
        return message;
    }
}
