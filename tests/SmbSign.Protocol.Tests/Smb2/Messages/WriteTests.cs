using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Write;

namespace SmbSign.Protocol.Tests.Smb2.Messages;

public sealed class WriteTests
{
    private static readonly Smb2FileId s_fileId = new(0x1122334455667788, 0x99AABBCCDDEEFF00);

    [Fact]
    public void WriteRequest_WriteTo_MatchesSpecLayout()
    {
        // [MS-SMB2] 2.2.21: StructureSize 49 | DataOffset 0x70 | Length 5 | Offset 0 | FileId | Channel | RemainingBytes
        // | WriteChannelInfoOffset | WriteChannelInfoLength | Flags | "Hello"
        var request = new WriteRequest { FileId = s_fileId, Data = "Hello"u8.ToArray() };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex(
            "3100 7000 05000000 0000000000000000 8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 0000 0000 00000000 48656C6C6F")), hex);
        WriteRequest parsed = WriteRequest.Parse(TestMessages.Smb2(hex));
        Assert.Equal(s_fileId, parsed.FileId);
        Assert.Equal("Hello"u8.ToArray(), parsed.Data.ToArray());
    }

    [Fact]
    public void WriteRequest_Empty_StillSendsTheOneBufferByte()
    {
        var request = new WriteRequest { FileId = s_fileId };

        Assert.Equal(49, TestMessages.Write(request).Length / 2);
    }

    [Theory]
    [InlineData("data runs past the end", "3100 7000 06000000 0000000000000000 8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 0000 0000 00000000 48656C6C6F")]
    [InlineData("data offset inside the fixed part", "3100 4000 05000000 0000000000000000 8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 0000 0000 00000000 48656C6C6F")]
    [InlineData("wrong StructureSize", "3000 7000 05000000 0000000000000000 8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 0000 0000 00000000 48656C6C6F")]
    [InlineData("fixed part truncated", "3100 7000 05000000 00000000")]
    public void WriteRequest_Malformed_Throws(string description, string body)
    {
        var e = Assert.Throws<SmbProtocolException>(() => WriteRequest.Parse(TestMessages.Smb2(body)));

        Assert.Contains("WRITE request", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public void WriteResponse_Parse_ReturnsCount()
    {
        // [MS-SMB2] 2.2.22: StructureSize 17 | Reserved | Count 1432 | Remaining | WriteChannelInfoOffset | WriteChannelInfoLength
        WriteResponse response = WriteResponse.Parse(TestMessages.Smb2("1100 0000 98050000 00000000 0000 0000"));

        Assert.Equal(1432u, response.Count);
    }

    [Fact]
    public void WriteResponse_RoundTrip()
    {
        var response = new WriteResponse { Count = 77 };
        byte[] body = new byte[WriteResponse.EncodedLength];

        Assert.Equal(body.Length, response.WriteTo(body));
        Assert.Equal(77u, WriteResponse.Parse([.. TestMessages.Smb2Header(), .. body]).Count);
    }

    [Theory]
    [InlineData("truncated", "1100 0000 9805")]
    [InlineData("wrong StructureSize", "1000 0000 98050000 00000000 0000 0000")]
    public void WriteResponse_Malformed_Throws(string description, string body)
    {
        var e = Assert.Throws<SmbProtocolException>(() => WriteResponse.Parse(TestMessages.Smb2(body)));

        Assert.Contains("WRITE response", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }
}
