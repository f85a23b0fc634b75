namespace SmbSign.Protocol.Smb1;

/// <summary>[MS-CIFS] 2.2.4.51.1 SMB_COM_TREE_DISCONNECT Request: WordCount 0, ByteCount 0; the TID in the header
/// names the tree. The response (2.2.4.51.2) is empty too.</summary>
public sealed class TreeDisconnectRequest : ISmb1Request
{
    public const byte CommandCode = 0x71;

    public static TreeDisconnectRequest Instance { get; } = new();

    public byte Command => CommandCode;

    public int GetEncodedLength() => 3;

    public int WriteTo(Span<byte> body)
    {
        if (body.Length < 3)
        {
            throw new ArgumentException("Body needs 3 bytes.", nameof(body));
        }

        body[..3].Clear();
        return 3;
    }
}

/// <summary>Checks the empty body (WordCount 0, ByteCount 0) of CLOSE and TREE_DISCONNECT responses ([MS-CIFS] 2.2.4.5.2, 2.2.4.51.2).</summary>
public static class Smb1EmptyResponse
{
    /// <summary>WordCount 0, ByteCount 0.</summary>
    public const int EncodedLength = 3;

    /// <summary>Writes the empty body: also the body of an SMB1 error response ([MS-CIFS] 2.2.3: a failed request's
    /// response carries the status in the header and, unless the command says otherwise, no words and no bytes).</summary>
    public static int WriteTo(Span<byte> body)
    {
        if (body.Length < EncodedLength)
        {
            throw new ArgumentException($"Body needs {EncodedLength} bytes.", nameof(body));
        }

        body[..EncodedLength].Clear();
        return EncodedLength;
    }

    public static void Validate(ReadOnlySpan<byte> message, string what) => Smb1Body.Read(message, what, 0);
}
