using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-SMB] 2.2.4.6.1 SMB_COM_SESSION_SETUP_ANDX Request, extended security form (WordCount 12): a GSS/SPNEGO
/// blob instead of passwords. Strings are written in Unicode (the header must carry SMB_FLAGS2_UNICODE).</summary>
public sealed class SessionSetupAndXRequest : ISmb1Request
{
    public const byte CommandCode = 0x73;
    public const byte WordCount = 12;

    /// <summary>Header offset of the data block: 32 (header) + 1 (WordCount) + 24 (words) + 2 (ByteCount).</summary>
    private const int BytesOffset = Smb1Body.Start + 1 + (WordCount * 2) + 2;

    public byte Command => CommandCode;

    public required ReadOnlyMemory<byte> SecurityBlob { get; init; }

    public ushort MaxBufferSize { get; init; } = 16644;

    public ushort MaxMpxCount { get; init; } = 50;

    public ushort VcNumber { get; init; }

    /// <summary>The SessionKey from the NEGOTIATE response (echoed back).</summary>
    public uint SessionKey { get; init; }

    /// <summary>CAP_EXTENDED_SECURITY 0x80000000 | CAP_LARGE_READX 0x4000 | CAP_NT_STATUS 0x40 | CAP_NT_SMBS 0x10
    /// | CAP_LARGE_FILES 0x08 | CAP_UNICODE 0x04 ([MS-CIFS] 2.2.4.52.2, [MS-SMB] 2.2.4.5.2).</summary>
    public const uint DefaultCapabilities = 0x8000_405C;

    /// <summary>Client capabilities ([MS-SMB] 2.2.4.6.1): must include CAP_EXTENDED_SECURITY (0x80000000).</summary>
    public uint Capabilities { get; init; } = DefaultCapabilities;

    public string NativeOs { get; init; } = "SmbSign";

    public string NativeLanMan { get; init; } = "SmbSign";

    private int PadLength => (BytesOffset + SecurityBlob.Length) & 1;

    public int GetEncodedLength() =>
        1 + (WordCount * 2) + 2 + SecurityBlob.Length + PadLength + Smb1Body.UnicodeLength(NativeOs) + Smb1Body.UnicodeLength(NativeLanMan);

    public int WriteTo(Span<byte> body)
    {
        if (SecurityBlob.Length > ushort.MaxValue)
        {
            throw new ArgumentException("SecurityBlob is longer than 65535 bytes.", nameof(body));
        }

        int byteCount = GetEncodedLength() - (1 + (WordCount * 2) + 2);
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteUInt16(MaxBufferSize);
        writer.WriteUInt16(MaxMpxCount);
        writer.WriteUInt16(VcNumber);
        writer.WriteUInt32(SessionKey);
        writer.WriteUInt16((ushort)SecurityBlob.Length);
        writer.WriteUInt32(0); // Reserved
        writer.WriteUInt32(Capabilities);
        writer.WriteUInt16((ushort)byteCount);
        writer.WriteBytes(SecurityBlob.Span);
        writer.WriteZeros(PadLength);
        Smb1Body.WriteUnicode(ref writer, NativeOs);
        Smb1Body.WriteUnicode(ref writer, NativeLanMan);
        return writer.Position;
    }

    public static SessionSetupAndXRequest Parse(ReadOnlySpan<byte> message)
    {
        const string What = "SESSION_SETUP_ANDX request";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        ushort maxBuffer = words.ReadUInt16();
        ushort maxMpx = words.ReadUInt16();
        ushort vc = words.ReadUInt16();
        uint sessionKey = words.ReadUInt32();
        ushort blobLength = words.ReadUInt16();
        words.Skip(4);
        uint capabilities = words.ReadUInt32();
        if (blobLength > body.Bytes.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange("SESSION_SETUP_ANDX request SecurityBlobLength", (ulong)body.BytesOffset, blobLength, message.Length);
        }

        (string os, int next) = body.ReadString(blobLength, body.IsUnicode);
        (string lanMan, _) = body.ReadString(next, body.IsUnicode);
        return new SessionSetupAndXRequest
        {
            SecurityBlob = body.Bytes[..blobLength].ToArray(),
            MaxBufferSize = maxBuffer,
            MaxMpxCount = maxMpx,
            VcNumber = vc,
            SessionKey = sessionKey,
            Capabilities = capabilities,
            NativeOs = os,
            NativeLanMan = lanMan,
        };
    }
}
