using SmbSign.Protocol.Buffers;

namespace SmbSign.Protocol.Smb2.Errors;

/// <summary>[MS-SMB2] 2.2.2 SMB2 ERROR Response: what a server sends instead of a command's response when the status is
/// an error. With ErrorContextCount &gt; 0 (3.1.1) ErrorData is a list of [MS-SMB2] 2.2.2.1 ERROR_CONTEXTs.</summary>
public sealed class ErrorResponse
{
    public const ushort StructureSize = 9;

    /// <summary>Length of the fixed part before ErrorData.</summary>
    public const int FixedLength = 8;

    /// <summary>An upper bound on contexts decoded from one message.</summary>
    public const int MaxContexts = 64;

    public ReadOnlyMemory<byte> ErrorData { get; init; }

    public IReadOnlyList<ErrorContext> Contexts { get; init; } = [];

    /// <summary>True when <paramref name="message"/> carries an error body: StructureSize 9 where the command's own
    /// response has another size. (SMB2 READ/QUERY_DIRECTORY never return 9, so the check is unambiguous for them.)</summary>
    public static bool IsErrorBody(ReadOnlySpan<byte> message) =>
        message.Length >= Smb2Header.Size + 2 && message[Smb2Header.Size] == StructureSize && message[Smb2Header.Size + 1] == 0;

    public static ErrorResponse Parse(ReadOnlySpan<byte> message)
    {
        const string What = "ERROR response";
        SmbReader reader = Smb2Body.Open(message, StructureSize, FixedLength, What);
        byte contextCount = reader.ReadByte();
        reader.Skip(1);
        uint byteCount = reader.ReadUInt32();
        int dataStart = Smb2Header.Size + FixedLength;
        ReadOnlySpan<byte> data = Smb2Body.GetBuffer(message, (uint)dataStart, byteCount, dataStart, "ERROR response ByteCount");
        var contexts = new List<ErrorContext>();
        if (contextCount > 0)
        {
            var contextReader = new SmbReader(data, "ERROR response ErrorContext");
            for (int i = 0; i < contextCount; i++)
            {
                contextReader.AlignTo(8);
                uint length = contextReader.ReadUInt32();
                uint errorId = contextReader.ReadUInt32();
                if (length > (uint)contextReader.Remaining)
                {
                    ThrowHelper.ThrowTruncated("ERROR response ErrorContext data", dataStart + contextReader.Position, (int)Math.Min(length, int.MaxValue), contextReader.Remaining);
                }

                contexts.Add(new ErrorContext(errorId, contextReader.ReadBytes((int)length).ToArray()));
            }
        }

        return new ErrorResponse { ErrorData = data.ToArray(), Contexts = contexts };
    }

    /// <summary>Body length of an error response without contexts: the fixed part and one ErrorData byte ([MS-SMB2] 2.2.2: a zero ByteCount still carries one byte).</summary>
    public const int EmptyEncodedLength = FixedLength + 1;

    /// <summary>Writes the body of an error response without error data (for responders and tests).</summary>
    public static int WriteEmpty(Span<byte> body)
    {
        var writer = new SmbWriter(body);
        writer.WriteUInt16(StructureSize);
        writer.WriteByte(0);
        writer.WriteByte(0);
        writer.WriteUInt32(0);
        writer.WriteByte(0);
        return writer.Position;
    }
}

/// <summary>[MS-SMB2] 2.2.2.1 SMB2 ERROR Context: ErrorId 0 = default, 0x72727473 = share redirect.</summary>
public sealed record ErrorContext(uint ErrorId, ReadOnlyMemory<byte> Data);
