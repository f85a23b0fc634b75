using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-SMB] 2.2.4.6.2 SMB_COM_SESSION_SETUP_ANDX Response, extended security form (WordCount 4). Also
/// the shape of the STATUS_MORE_PROCESSING_REQUIRED interim responses that carry the NTLMSSP CHALLENGE.</summary>
public sealed class SessionSetupAndXResponse : ISmb1Response
{
    public const byte WordCount = 4;

    /// <summary>Header offset of the data block: 32 (header) + 1 (WordCount) + 8 (words) + 2 (ByteCount).</summary>
    private const int BytesOffset = Smb1Body.Start + 1 + (WordCount * 2) + 2;

    /// <summary>SMB_SETUP_GUEST: the server logged the user on as guest.</summary>
    public const ushort ActionGuest = 0x0001;

    public ushort Action { get; init; }

    public ReadOnlyMemory<byte> SecurityBlob { get; init; }

    public string NativeOs { get; init; } = string.Empty;

    public string NativeLanMan { get; init; } = string.Empty;

    public bool IsGuest => (Action & ActionGuest) != 0;

    private int PadLength => (BytesOffset + SecurityBlob.Length) & 1;

    public int GetEncodedLength() =>
        1 + (WordCount * 2) + 2 + SecurityBlob.Length + PadLength + Smb1Body.UnicodeLength(NativeOs) + Smb1Body.UnicodeLength(NativeLanMan);

    /// <summary>Writes the response body (for the listener and tests); strings in Unicode, aligned like the request's.</summary>
    public int WriteTo(Span<byte> body)
    {
        if (SecurityBlob.Length > ushort.MaxValue)
        {
            throw new ArgumentException("SecurityBlob is longer than 65535 bytes.", nameof(body));
        }

        ushort byteCount = Smb1Body.CheckByteCount(GetEncodedLength() - (1 + (WordCount * 2) + 2), "SESSION_SETUP_ANDX response");
        var writer = new SmbWriter(body);
        writer.WriteByte(WordCount);
        Smb1Body.WriteNoAndX(ref writer);
        writer.WriteUInt16(Action);
        writer.WriteUInt16((ushort)SecurityBlob.Length);
        writer.WriteUInt16(byteCount);
        writer.WriteBytes(SecurityBlob.Span);
        writer.WriteZeros(PadLength);
        Smb1Body.WriteUnicode(ref writer, NativeOs);
        Smb1Body.WriteUnicode(ref writer, NativeLanMan);
        return writer.Position;
    }

    public static SessionSetupAndXResponse Parse(ReadOnlySpan<byte> message)
    {
        const string What = "SESSION_SETUP_ANDX response";
        Smb1Body body = Smb1Body.Read(message, What, WordCount);
        SmbReader words = body.WordReader(What);
        words.Skip(4);
        ushort action = words.ReadUInt16();
        ushort blobLength = words.ReadUInt16();
        if (blobLength > body.Bytes.Length)
        {
            ThrowHelper.ThrowBufferOutOfRange("SESSION_SETUP_ANDX response SecurityBlobLength", (ulong)body.BytesOffset, blobLength, message.Length);
        }

        (string os, int next) = body.ReadString(blobLength, body.IsUnicode);
        (string lanMan, _) = body.ReadString(next, body.IsUnicode);
        return new SessionSetupAndXResponse { Action = action, SecurityBlob = body.Bytes[..blobLength].ToArray(), NativeOs = os, NativeLanMan = lanMan };
    }
}
