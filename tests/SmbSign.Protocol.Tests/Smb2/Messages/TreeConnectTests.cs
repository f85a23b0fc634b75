using SmbSign.Protocol.Smb2.TreeConnect;

namespace SmbSign.Protocol.Tests.Smb2.Messages;

public sealed class TreeConnectTests
{
    // [MS-SMB2] 2.2.9: StructureSize 9 | Flags 0 | PathOffset 72 (0x48) | PathLength 10 | "\\h\s" UTF-16LE
    private const string RequestBody = "0900 0000 4800 0A00 | 5C005C0068005C007300";

    // [MS-SMB2] 2.2.10: StructureSize 16 | ShareType DISK | Reserved | ShareFlags ENCRYPT_DATA | Capabilities DFS | MaximalAccess 0x001F01FF
    private const string ResponseBody = "1000 01 00 00800000 08000000 FF011F00";

    [Fact]
    public void WriteTo_Path_MatchesSpecLayout()
    {
        var request = new TreeConnectRequest { Path = @"\\h\s" };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex(RequestBody)), hex);
        Assert.Equal(SmbSign.Protocol.Smb2.Smb2Command.TreeConnect, request.Command);
    }

    [Fact]
    public void Parse_Request_RoundTripsPath()
    {
        TreeConnectRequest parsed = TreeConnectRequest.Parse(TestMessages.Smb2(RequestBody));

        Assert.Equal(@"\\h\s", parsed.Path);
    }

    [Fact]
    public void Parse_Response_ReadsEveryField()
    {
        TreeConnectResponse response = TreeConnectResponse.Parse(TestMessages.Smb2(ResponseBody));

        Assert.Equal(ShareType.Disk, response.ShareType);
        Assert.True(response.EncryptData);
        Assert.Equal(ShareCapabilities.Dfs, response.Capabilities);
        Assert.Equal(0x001F01FFu, response.MaximalAccess);
    }

    [Theory]
    [InlineData("response truncated", "1000 01 00 00000000")]
    [InlineData("wrong StructureSize", "1100 01 00 00000000 00000000 00000000")]
    [InlineData("no body at all", "")]
    public void Parse_MalformedResponse_ThrowsWithOffset(string description, string body)
    {
        var e = Assert.Throws<SmbProtocolException>(() => TreeConnectResponse.Parse(TestMessages.Smb2(body)));

        Assert.Contains("TREE_CONNECT response", e.Message, StringComparison.Ordinal);
        Assert.True(e.Offset is >= 0, description);
    }

    [Theory]
    [InlineData("path runs past the end", "0900 0000 4800 0C00 5C005C0068005C007300")]
    [InlineData("path offset inside the fixed part", "0900 0000 4000 0200 5C005C0068005C007300")]
    [InlineData("odd UTF-16 length", "0900 0000 4800 0300 5C005C0068005C007300")]
    public void Parse_MalformedRequest_Throws(string description, string body)
    {
        var e = Assert.Throws<SmbProtocolException>(() => TreeConnectRequest.Parse(TestMessages.Smb2(body)));

        Assert.False(string.IsNullOrEmpty(e.Message), description);
    }
}
