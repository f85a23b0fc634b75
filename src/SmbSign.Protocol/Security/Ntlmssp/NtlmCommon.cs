using System.Buffers.Binary;
using SmbSign.Protocol.Buffers;
using TextEncoding = System.Text.Encoding;

namespace SmbSign.Protocol.Security.Ntlmssp;

/// <summary>[MS-NLMP] 2.2.2.5 NEGOTIATE flags.</summary>
[Flags]
public enum NtlmNegotiateFlags : uint
{
    None = 0,
    Unicode = 0x0000_0001,
    Oem = 0x0000_0002,
    RequestTarget = 0x0000_0004,
    Sign = 0x0000_0010,
    Seal = 0x0000_0020,
    Datagram = 0x0000_0040,
    LmKey = 0x0000_0080,
    Ntlm = 0x0000_0200,
    Anonymous = 0x0000_0800,
    OemDomainSupplied = 0x0000_1000,
    OemWorkstationSupplied = 0x0000_2000,
    AlwaysSign = 0x0000_8000,
    TargetTypeDomain = 0x0001_0000,
    TargetTypeServer = 0x0002_0000,
    ExtendedSessionSecurity = 0x0008_0000,
    Identify = 0x0010_0000,
    RequestNonNtSessionKey = 0x0040_0000,
    TargetInfo = 0x0080_0000,
    Version = 0x0200_0000,
    Use128 = 0x2000_0000,
    KeyExchange = 0x4000_0000,
    Use56 = 0x8000_0000,
}

/// <summary>[MS-NLMP] 2.2.1 MessageType.</summary>
public enum NtlmMessageType : uint
{
    Negotiate = 1,
    Challenge = 2,
    Authenticate = 3,
}

/// <summary>[MS-NLMP] 2.2.2.10 VERSION: the OS version an NTLM peer claims (may lag the real build).</summary>
public readonly record struct NtlmVersion(byte ProductMajor, byte ProductMinor, ushort ProductBuild, byte NtlmRevision = NtlmVersion.CurrentRevision)
{
    public const int Size = 8;
    public const byte CurrentRevision = 0x0F;

    public static NtlmVersion Read(ReadOnlySpan<byte> source) =>
        new(source[0], source[1], BinaryPrimitives.ReadUInt16LittleEndian(source[2..]), source[7]);

    public void Write(Span<byte> destination)
    {
        destination[0] = ProductMajor;
        destination[1] = ProductMinor;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], ProductBuild);
        destination[4..7].Clear();
        destination[7] = NtlmRevision;
    }

    /// <summary>"10.0.20348".</summary>
    public override string ToString() => $"{ProductMajor}.{ProductMinor}.{ProductBuild}";
}

/// <summary>Shared pieces of the three NTLM messages: the "NTLMSSP\0" signature and the Len/MaxLen/Offset field descriptors.</summary>
public static class NtlmMessage
{
    /// <summary>"NTLMSSP\0".</summary>
    public static ReadOnlySpan<byte> Signature => [0x4E, 0x54, 0x4C, 0x4D, 0x53, 0x53, 0x50, 0x00];

    /// <summary>True when <paramref name="token"/> starts with "NTLMSSP\0" and is long enough to carry a MessageType.</summary>
    public static bool IsNtlmssp(ReadOnlySpan<byte> token) => token.Length >= 12 && token[..8].SequenceEqual(Signature);

    /// <summary>The MessageType of an NTLMSSP token; throws <see cref="SmbProtocolException"/> when it is not one.</summary>
    public static NtlmMessageType GetMessageType(ReadOnlySpan<byte> token)
    {
        if (!IsNtlmssp(token))
        {
            ThrowHelper.ThrowInvalid("not an NTLMSSP message (expected \"NTLMSSP\\0\")", 0);
        }

        return (NtlmMessageType)BinaryPrimitives.ReadUInt32LittleEndian(token[8..]);
    }

    internal static void ReadHeader(ReadOnlySpan<byte> message, NtlmMessageType expected, int fixedSize)
    {
        if (message.Length < fixedSize)
        {
            ThrowHelper.ThrowTruncated($"NTLM {expected} message", message.Length, fixedSize - message.Length, 0);
        }

        NtlmMessageType type = GetMessageType(message);
        if (type != expected)
        {
            ThrowHelper.ThrowInvalid($"expected NTLM {expected} message, got MessageType {(uint)type}", 8);
        }
    }

    /// <summary>Resolves a Len/MaxLen/Offset descriptor at <paramref name="descriptorOffset"/> against the whole message.</summary>
    internal static ReadOnlySpan<byte> ReadField(ReadOnlySpan<byte> message, int descriptorOffset, string field)
    {
        ushort length = BinaryPrimitives.ReadUInt16LittleEndian(message[descriptorOffset..]);
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(message[(descriptorOffset + 4)..]);
        return new SmbReader(message, "NTLM message").GetBuffer(offset, length, field);
    }

    internal static (ushort Length, uint Offset) ReadDescriptor(ReadOnlySpan<byte> message, int descriptorOffset) =>
        (BinaryPrimitives.ReadUInt16LittleEndian(message[descriptorOffset..]), BinaryPrimitives.ReadUInt32LittleEndian(message[(descriptorOffset + 4)..]));

    internal static string? ReadString(ReadOnlySpan<byte> message, int descriptorOffset, string field, bool unicode)
    {
        (ushort length, _) = ReadDescriptor(message, descriptorOffset);
        if (length == 0)
        {
            return null;
        }

        ReadOnlySpan<byte> bytes = ReadField(message, descriptorOffset, field);
        if (unicode && bytes.Length % 2 != 0)
        {
            ThrowHelper.ThrowInvalid($"NTLM {field}: odd length {bytes.Length} for a UTF-16 string", descriptorOffset);
        }

        return unicode ? TextEncoding.Unicode.GetString(bytes) : TextEncoding.ASCII.GetString(bytes);
    }

    internal static byte[] EncodeString(string? value, bool unicode) =>
        string.IsNullOrEmpty(value) ? [] : unicode ? TextEncoding.Unicode.GetBytes(value) : TextEncoding.ASCII.GetBytes(value);

    /// <summary>Writes a descriptor at <paramref name="descriptorOffset"/> and the payload at <paramref name="payloadOffset"/>; returns the next payload offset.</summary>
    internal static int WriteField(Span<byte> message, int descriptorOffset, int payloadOffset, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(message[descriptorOffset..], checked((ushort)value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(message[(descriptorOffset + 2)..], (ushort)value.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message[(descriptorOffset + 4)..], (uint)payloadOffset);
        value.CopyTo(message[payloadOffset..]);
        return payloadOffset + value.Length;
    }
}
