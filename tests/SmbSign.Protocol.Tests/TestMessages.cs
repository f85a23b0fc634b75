namespace SmbSign.Protocol.Tests;

/// <summary>Builds test messages from hex written field by field (spaces and '|' separators are ignored).</summary>
internal static class TestMessages
{
    /// <summary>A 64-byte SMB2 header (ProtocolId, StructureSize 64, all else zero) followed by <paramref name="bodyHex"/>.</summary>
    public static byte[] Smb2(string bodyHex) => [.. Smb2Header(), .. Hex(bodyHex)];

    public static byte[] Smb2Header()
    {
        byte[] header = new byte[64];
        Convert.FromHexString("FE534D424000").CopyTo(header, 0);
        return header;
    }

    /// <summary>A 32-byte SMB1 header with the command and Flags2 (Unicode + NT status + extended security by default).</summary>
    public static byte[] Smb1(byte command, string bodyHex, ushort flags2 = 0xC801)
    {
        byte[] header = new byte[32];
        Convert.FromHexString("FF534D42").CopyTo(header, 0);
        header[4] = command;
        header[10] = (byte)flags2;
        header[11] = (byte)(flags2 >> 8);
        return [.. header, .. Hex(bodyHex)];
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("|", string.Empty, StringComparison.Ordinal));

    /// <summary>The body a request writes, as upper-case hex.</summary>
    public static string Write(SmbSign.Protocol.Smb2.ISmb2Request request)
    {
        byte[] body = new byte[request.GetEncodedLength()];
        int written = request.WriteTo(body);
        Assert.Equal(body.Length, written);
        return Convert.ToHexString(body);
    }

    public static string Write(SmbSign.Protocol.Smb1.ISmb1Request request)
    {
        byte[] body = new byte[request.GetEncodedLength()];
        int written = request.WriteTo(body);
        Assert.Equal(body.Length, written);
        return Convert.ToHexString(body);
    }
}
