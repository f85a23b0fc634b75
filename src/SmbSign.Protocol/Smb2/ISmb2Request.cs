namespace SmbSign.Protocol.Smb2;

/// <summary>An SMB2 request body that can be written after a 64-byte header. Offsets it writes count from the header
/// start ([MS-SMB2] 2.2), so the body must be placed at offset 64 of the message.</summary>
public interface ISmb2Request
{
    /// <summary>The header's Command for this body.</summary>
    Smb2Command Command { get; }

    /// <summary>Bytes <see cref="WriteTo"/> will write.</summary>
    int GetEncodedLength();

    /// <summary>Writes the body into <paramref name="body"/> (the span right after the header); returns the bytes written.</summary>
    int WriteTo(Span<byte> body);
}
