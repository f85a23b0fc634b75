using SmbSign.Protocol.Buffers;
using SmbSign.Protocol.Smb2;
using TextEncoding = System.Text.Encoding;

namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.52.2 SecurityMode of an NT LM 0.12 NEGOTIATE response.</summary>
[Flags]
public enum Smb1SecurityMode : byte
{
    None = 0,
    UserSecurity = 0x01,
    EncryptPasswords = 0x02,
    SecuritySignaturesEnabled = 0x04,
    SecuritySignaturesRequired = 0x08,
}

/// <summary>[MS-CIFS] 2.2.4.52.2 / [MS-SMB] 2.2.4.5.2 server capabilities.</summary>
[Flags]
public enum Smb1Capabilities : uint
{
    None = 0,
    RawMode = 0x0000_0001,
    MpxMode = 0x0000_0002,
    Unicode = 0x0000_0004,
    LargeFiles = 0x0000_0008,
    NtSmbs = 0x0000_0010,
    RpcRemoteApis = 0x0000_0020,
    NtStatus = 0x0000_0040,
    Level2Oplocks = 0x0000_0080,
    LockAndRead = 0x0000_0100,
    NtFind = 0x0000_0200,
    Dfs = 0x0000_1000,
    InfoLevelPassthru = 0x0000_2000,
    LargeReadX = 0x0000_4000,
    LargeWriteX = 0x0000_8000,
    Unix = 0x0080_0000,
    ExtendedSecurity = 0x8000_0000,
}

/// <summary>The SMB1 server signing state a client can see ([MS-CIFS] 3.2.4.2.2): Required if bit 0x08 is set,
/// Enabled if 0x04 is set, Disabled otherwise (Disabled and Declined cannot be told apart on the wire).</summary>
public enum Smb1SigningState
{
    Disabled,
    Enabled,
    Required,
}

/// <summary>[MS-CIFS] 2.2.4.52.1 SMB_COM_NEGOTIATE request: WordCount 0 and each dialect as 0x02 + NUL-terminated ASCII.</summary>
public sealed record Smb1NegotiateRequest
{
    public const string NtLm012 = "NT LM 0.12";
    public const string Smb2002 = "SMB 2.002";
    public const string Smb2Wildcard = "SMB 2.???";

    /// <summary>The dialect strings, in preference order (the server answers with an index into this list).</summary>
    public IReadOnlyList<string> Dialects { get; init; } = [NtLm012, Smb2002, Smb2Wildcard];

    /// <summary>LONG_NAMES | EAS | IS_LONG_NAME | NT_STATUS | UNICODE. Without EXTENDED_SECURITY, so that an NT LM 0.12
    /// reply carries the server's domain and NetBIOS name in clear (no SESSION_SETUP needed to learn them).</summary>
    public Smb1Flags2 Flags2 { get; init; } = Smb1Flags2.LongNames | Smb1Flags2.Eas | Smb1Flags2.IsLongName
        | Smb1Flags2.NtStatus | Smb1Flags2.Unicode;

    public ushort ProcessId { get; init; } = 0xFEFF;

    public ushort MultiplexId { get; init; }

    /// <summary>The multi-protocol NEGOTIATE of protocol notes §15.1 step 1.</summary>
    public static Smb1NegotiateRequest MultiProtocol { get; } = new();

    /// <summary>Offers only NT LM 0.12 (connection B: is SMB1 enabled on a server that speaks SMB2?).</summary>
    public static Smb1NegotiateRequest Smb1Only { get; } = new() { Dialects = [NtLm012] };

    public int GetEncodedLength()
    {
        int length = Smb1Header.Size + 1 + 2;
        foreach (string dialect in Dialects)
        {
            length += 2 + TextEncoding.ASCII.GetByteCount(dialect);
        }

        return length;
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination needs {length} bytes, has {destination.Length}.", nameof(destination));
        }

        new Smb1Header(Smb1Command.Negotiate, 0, Smb1Flags.CaseInsensitive | Smb1Flags.CanonicalizedPaths, Flags2, 0, 0, 0, ProcessId, 0, MultiplexId)
            .Write(destination);
        var writer = new SmbWriter(destination[..length]);
        writer.Reserve(Smb1Header.Size);
        writer.WriteByte(0);
        writer.WriteUInt16(checked((ushort)(length - Smb1Header.Size - 3)));
        foreach (string dialect in Dialects)
        {
            writer.WriteByte(0x02);
            Span<byte> text = writer.Reserve(TextEncoding.ASCII.GetByteCount(dialect));
            TextEncoding.ASCII.GetBytes(dialect, text);
            writer.WriteByte(0);
        }

        return writer.Position;
    }

    public byte[] ToArray()
    {
        byte[] message = new byte[GetEncodedLength()];
        WriteTo(message);
        return message;
    }

    /// <summary>Reads a NEGOTIATE request (for responders and capture analysis).</summary>
    public static Smb1NegotiateRequest Parse(ReadOnlySpan<byte> message)
    {
        Smb1Header header = Smb1Header.Read(message);
        if (header.Command != Smb1Command.Negotiate)
        {
            ThrowHelper.ThrowInvalid($"expected an SMB1 NEGOTIATE request, got command 0x{(byte)header.Command:X2}", Smb1Header.CommandOffset);
        }

        var reader = new SmbReader(message, "SMB1 NEGOTIATE request", Smb1Header.Size);
        byte wordCount = reader.ReadByte();
        reader.Skip(2 * wordCount);
        ushort byteCount = reader.ReadUInt16();
        ReadOnlySpan<byte> bytes = reader.ReadBytes(byteCount);
        var dialects = new List<string>();
        int position = 0;
        while (position < bytes.Length)
        {
            if (bytes[position] != 0x02)
            {
                ThrowHelper.ThrowInvalid($"dialect buffer format 0x{bytes[position]:X2} at byte {reader.Position - byteCount + position}, expected 0x02", reader.Position - byteCount + position);
            }

            int end = bytes[(position + 1)..].IndexOf((byte)0);
            if (end < 0)
            {
                ThrowHelper.ThrowInvalid("dialect string is not NUL-terminated", reader.Position - byteCount + position);
            }

            dialects.Add(TextEncoding.ASCII.GetString(bytes.Slice(position + 1, end)));
            position += end + 2;
        }

        return new Smb1NegotiateRequest { Dialects = dialects, Flags2 = header.Flags2, ProcessId = header.PidLow, MultiplexId = header.Mid };
    }
}

/// <summary>[MS-CIFS] 2.2.4.52.2 / [MS-SMB] 2.2.4.5.2 SMB_COM_NEGOTIATE response for NT LM 0.12 (WordCount 17), with
/// or without extended security, or the WordCount 1 "no dialect" form (DialectIndex 0xFFFF).</summary>
public sealed record Smb1NegotiateResponse
{
    public const ushort NoDialect = 0xFFFF;

    public Smb1Flags2 Flags2 { get; init; }

    public ushort DialectIndex { get; init; }

    public Smb1SecurityMode SecurityMode { get; init; }

    public ushort MaxMpxCount { get; init; }

    public ushort MaxNumberVcs { get; init; }

    public uint MaxBufferSize { get; init; }

    public uint MaxRawSize { get; init; }

    public uint SessionKey { get; init; }

    public Smb1Capabilities Capabilities { get; init; }

    /// <summary>FILETIME.</summary>
    public ulong SystemTime { get; init; }

    public short ServerTimeZone { get; init; }

    /// <summary>Non-extended security: the 8-byte challenge.</summary>
    public ReadOnlyMemory<byte> Challenge { get; init; }

    /// <summary>Non-extended security: the domain or workgroup name.</summary>
    public string? DomainName { get; init; }

    /// <summary>Non-extended security: the server's NetBIOS name, when sent.</summary>
    public string? ServerName { get; init; }

    /// <summary>Extended security: the server GUID.</summary>
    public Guid? ServerGuid { get; init; }

    /// <summary>Extended security: the GSS token (SPNEGO NegTokenInit), possibly empty.</summary>
    public ReadOnlyMemory<byte> SecurityBlob { get; init; }

    public bool IsExtendedSecurity => (Capabilities & Smb1Capabilities.ExtendedSecurity) != 0;

    /// <summary>False for the WordCount 1 form: the server accepted none of the offered dialects.</summary>
    public bool HasDialect => DialectIndex != NoDialect;

    public Smb1SigningState SigningState =>
        (SecurityMode & Smb1SecurityMode.SecuritySignaturesRequired) != 0 ? Smb1SigningState.Required
        : (SecurityMode & Smb1SecurityMode.SecuritySignaturesEnabled) != 0 ? Smb1SigningState.Enabled
        : Smb1SigningState.Disabled;

    /// <summary>Reads a NEGOTIATE response (header included). WordCount must be 17 (NT LM 0.12) or 1 (no common
    /// dialect); other forms (core, LANMAN) throw <see cref="SmbProtocolException"/> since SmbSign never offers them.</summary>
    public static Smb1NegotiateResponse Parse(ReadOnlySpan<byte> message)
    {
        Smb1Header header = Smb1Header.Read(message);
        if (header.Command != Smb1Command.Negotiate)
        {
            ThrowHelper.ThrowInvalid($"expected an SMB1 NEGOTIATE response, got command 0x{(byte)header.Command:X2}", Smb1Header.CommandOffset);
        }

        if (header.Status != NtStatus.Success)
        {
            ThrowHelper.ThrowInvalid($"SMB1 NEGOTIATE failed with status 0x{header.Status:X8}", Smb1Header.StatusOffset);
        }

        var reader = new SmbReader(message, "SMB1 NEGOTIATE response", Smb1Header.Size);
        byte wordCount = reader.ReadByte();
        if (wordCount == 1)
        {
            ushort index = reader.ReadUInt16();
            return new Smb1NegotiateResponse { Flags2 = header.Flags2, DialectIndex = index };
        }

        if (wordCount != 17)
        {
            ThrowHelper.ThrowInvalid($"SMB1 NEGOTIATE response WordCount is {wordCount}; expected 17 (NT LM 0.12) or 1", Smb1Header.Size);
        }

        ushort dialectIndex = reader.ReadUInt16();
        var securityMode = (Smb1SecurityMode)reader.ReadByte();
        ushort maxMpx = reader.ReadUInt16();
        ushort maxVcs = reader.ReadUInt16();
        uint maxBuffer = reader.ReadUInt32();
        uint maxRaw = reader.ReadUInt32();
        uint sessionKey = reader.ReadUInt32();
        var capabilities = (Smb1Capabilities)reader.ReadUInt32();
        ulong systemTime = reader.ReadUInt64();
        short timeZone = (short)reader.ReadUInt16();
        byte challengeLength = reader.ReadByte();
        ushort byteCount = reader.ReadUInt16();
        int bytesStart = reader.Position;
        ReadOnlySpan<byte> bytes = reader.ReadBytes(byteCount);
        var response = new Smb1NegotiateResponse
        {
            Flags2 = header.Flags2,
            DialectIndex = dialectIndex,
            SecurityMode = securityMode,
            MaxMpxCount = maxMpx,
            MaxNumberVcs = maxVcs,
            MaxBufferSize = maxBuffer,
            MaxRawSize = maxRaw,
            SessionKey = sessionKey,
            Capabilities = capabilities,
            SystemTime = systemTime,
            ServerTimeZone = timeZone,
        };
        var data = new SmbReader(bytes, "SMB1 NEGOTIATE response bytes");
        if (response.IsExtendedSecurity)
        {
            var guid = new Guid(data.ReadBytes(16));
            return response with { ServerGuid = guid, SecurityBlob = data.ReadBytes(data.Remaining).ToArray() };
        }

        byte[] challenge = data.ReadBytes(challengeLength).ToArray();
        bool unicode = (header.Flags2 & Smb1Flags2.Unicode) != 0;
        string? domain = ReadString(bytes, ref data, unicode, bytesStart);
        string? server = ReadString(bytes, ref data, unicode, bytesStart);
        return response with { Challenge = challenge, DomainName = domain, ServerName = server };
    }

    /// <summary>Reads a NUL-terminated string (no alignment padding, as Windows and Samba send it); null when no bytes remain.</summary>
    private static string? ReadString(ReadOnlySpan<byte> bytes, ref SmbReader data, bool unicode, int bytesStart)
    {
        if (data.Remaining == 0)
        {
            return null;
        }

        ReadOnlySpan<byte> rest = bytes[data.Position..];
        if (unicode)
        {
            for (int i = 0; i + 1 < rest.Length; i += 2)
            {
                if (rest[i] == 0 && rest[i + 1] == 0)
                {
                    data.Skip(i + 2);
                    return TextEncoding.Unicode.GetString(rest[..i]);
                }
            }

            // Unterminated at the end of the message: accept what is there if it is whole UTF-16.
            if (rest.Length % 2 != 0)
            {
                ThrowHelper.ThrowInvalid("SMB1 NEGOTIATE response: odd-length Unicode string", bytesStart + data.Position);
            }

            data.Skip(rest.Length);
            return TextEncoding.Unicode.GetString(rest);
        }

        int end = rest.IndexOf((byte)0);
        int length = end < 0 ? rest.Length : end;
        data.Skip(end < 0 ? rest.Length : end + 1);
        return TextEncoding.ASCII.GetString(rest[..length]);
    }

    /// <summary>Writes the response (for responders and tests). Extended security when <see cref="ServerGuid"/> is set.</summary>
    public byte[] ToArray(ushort processId = 0xFEFF, ushort multiplexId = 0)
    {
        var header = new Smb1Header(Smb1Command.Negotiate, 0, Smb1Flags.Reply | Smb1Flags.CaseInsensitive | Smb1Flags.CanonicalizedPaths, Flags2, 0, 0, 0, processId, 0, multiplexId);
        if (!HasDialect)
        {
            byte[] none = new byte[Smb1Header.Size + 5];
            header.Write(none);
            var w = new SmbWriter(none.AsSpan(Smb1Header.Size));
            w.WriteByte(1);
            w.WriteUInt16(NoDialect);
            w.WriteUInt16(0);
            return none;
        }

        bool unicode = (Flags2 & Smb1Flags2.Unicode) != 0;
        TextEncoding encoding = unicode ? TextEncoding.Unicode : TextEncoding.ASCII;
        int terminator = unicode ? 2 : 1;
        int byteCount = ServerGuid is not null
            ? 16 + SecurityBlob.Length
            : Challenge.Length + (DomainName is null ? 0 : encoding.GetByteCount(DomainName) + terminator)
                + (ServerName is null ? 0 : encoding.GetByteCount(ServerName) + terminator);
        byte[] message = new byte[Smb1Header.Size + 1 + 34 + 2 + byteCount];
        header.Write(message);
        var writer = new SmbWriter(message.AsSpan(Smb1Header.Size));
        writer.WriteByte(17);
        writer.WriteUInt16(DialectIndex);
        writer.WriteByte((byte)SecurityMode);
        writer.WriteUInt16(MaxMpxCount);
        writer.WriteUInt16(MaxNumberVcs);
        writer.WriteUInt32(MaxBufferSize);
        writer.WriteUInt32(MaxRawSize);
        writer.WriteUInt32(SessionKey);
        writer.WriteUInt32((uint)(ServerGuid is not null ? Capabilities | Smb1Capabilities.ExtendedSecurity : Capabilities & ~Smb1Capabilities.ExtendedSecurity));
        writer.WriteUInt64(SystemTime);
        writer.WriteUInt16((ushort)ServerTimeZone);
        writer.WriteByte(ServerGuid is not null ? (byte)0 : checked((byte)Challenge.Length));
        writer.WriteUInt16(checked((ushort)byteCount));
        if (ServerGuid is { } guid)
        {
            guid.TryWriteBytes(writer.Reserve(16));
            writer.WriteBytes(SecurityBlob.Span);
        }
        else
        {
            writer.WriteBytes(Challenge.Span);
            foreach (string? text in new[] { DomainName, ServerName })
            {
                if (text is not null)
                {
                    Span<byte> target = writer.Reserve(encoding.GetByteCount(text));
                    encoding.GetBytes(text, target);
                    writer.WriteZeros(terminator);
                }
            }
        }

        return message;
    }
}
