using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Close;
using SmbSign.Protocol.Smb2.Create;

namespace SmbSign.Protocol.Tests.Smb2.Messages;

public sealed class CreateCloseTests
{
    private static readonly Smb2FileId s_fileId = new(0x1122334455667788, 0x99AABBCCDDEEFF00);

    // [MS-SMB2] 2.2.13: StructureSize 57 | SecurityFlags | Oplock | Impersonation 2 | SmbCreateFlags(8) | Reserved(8)
    // | DesiredAccess GENERIC_READ | FileAttributes 0 | ShareAccess R|W|D | Disposition OPEN | Options 0
    // | NameOffset 120 (0x78) | NameLength 10 | CreateContextsOffset 0 | CreateContextsLength 0 | "a.txt" UTF-16LE
    private const string CreateRequestBody =
        "3900 00 00 02000000 0000000000000000 0000000000000000 00000080 00000000 07000000 01000000 00000000 7800 0A00 00000000 00000000 | 61002E00740078007400";

    // [MS-SMB2] 2.2.14: StructureSize 89 | Oplock 0 | Flags 0 | CreateAction OPENED | 4 times | AllocationSize 0x1000
    // | EndOfFile 38 | FileAttributes NORMAL | Reserved2 | FileId | CreateContexts 0/0 | Buffer(1)
    private const string CreateResponseBody =
        "5900 00 00 01000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 0010000000000000 2600000000000000 80000000 00000000 8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 00";

    [Fact]
    public void WriteTo_FileName_MatchesSpecLayout()
    {
        var request = new CreateRequest { Name = "a.txt" };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex(CreateRequestBody)), hex);
    }

    [Fact]
    public void WriteTo_EmptyName_StillWritesOneBufferByte()
    {
        var request = new CreateRequest { Name = string.Empty, DesiredAccess = AccessMask.FileReadData, CreateOptions = CreateOptions.DirectoryFile };

        byte[] body = TestMessages.Hex(TestMessages.Write(request));

        Assert.Equal(57, body.Length);
        Assert.Equal(0, body[^1]);
        Assert.Equal("78000000", Convert.ToHexString(body, 44, 4)); // NameOffset 120, NameLength 0
        Assert.Equal(1u, BitConverter.ToUInt32(body, 40)); // CreateOptions DIRECTORY_FILE
    }

    [Fact]
    public void Parse_Request_RoundTrips()
    {
        CreateRequest parsed = CreateRequest.Parse(TestMessages.Smb2(CreateRequestBody));

        Assert.Equal("a.txt", parsed.Name);
        Assert.Equal(AccessMask.GenericRead, parsed.DesiredAccess);
        Assert.Equal(ShareAccess.Read | ShareAccess.Write | ShareAccess.Delete, parsed.ShareAccess);
        Assert.Equal(CreateDisposition.Open, parsed.CreateDisposition);
    }

    [Fact]
    public void Parse_Response_ReadsFileIdAndSizes()
    {
        CreateResponse response = CreateResponse.Parse(TestMessages.Smb2(CreateResponseBody));

        Assert.Equal(s_fileId, response.FileId);
        Assert.Equal(38ul, response.EndOfFile);
        Assert.Equal(0x1000ul, response.AllocationSize);
        Assert.Equal(1u, response.CreateAction);
        Assert.Equal(4, response.ChangeTime);
        Assert.False(response.IsDirectory);
        Assert.True(response.CreateContexts.IsEmpty);
    }

    [Theory]
    [InlineData("contexts run past the end", "00000000 00000000 00", "98000000 10000000 00")]
    [InlineData("contexts offset inside the fixed part", "00000000 00000000 00", "40000000 01000000 00")]
    [InlineData("truncated before FileId", "8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 00", "")]
    public void Parse_MalformedResponse_Throws(string description, string replace, string with)
    {
        string body = CreateResponseBody.Replace(replace, with, StringComparison.Ordinal);

        var e = Assert.Throws<SmbProtocolException>(() => CreateResponse.Parse(TestMessages.Smb2(body)));

        Assert.Contains("CREATE response", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public void CloseRequest_WriteTo_MatchesSpecLayout()
    {
        // [MS-SMB2] 2.2.15: StructureSize 24 | Flags POSTQUERY_ATTRIB | Reserved | FileId
        var request = new CloseRequest { FileId = s_fileId, Flags = CloseRequest.PostQueryAttributes };

        Assert.Equal("1800010000000000" + "8877665544332211" + "00FFEEDDCCBBAA99", TestMessages.Write(request));
        Assert.Equal(s_fileId, CloseRequest.Parse(TestMessages.Smb2(TestMessages.Write(request))).FileId);
    }

    [Fact]
    public void CloseResponse_Parse_ReadsAttributes()
    {
        // [MS-SMB2] 2.2.16: StructureSize 60 | Flags | Reserved | 4 times | AllocationSize | EndOfFile | FileAttributes
        byte[] message = TestMessages.Smb2("3C00 0100 00000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 0010000000000000 2600000000000000 80000000");

        CloseResponse response = CloseResponse.Parse(message);

        Assert.Equal(1, response.Flags);
        Assert.Equal(38ul, response.EndOfFile);
        Assert.Equal(0x80u, response.FileAttributes);
    }

    [Fact]
    public void CloseResponse_Truncated_Throws()
    {
        byte[] message = TestMessages.Smb2("3C00 0100 00000000 0100000000000000");

        Assert.Throws<SmbProtocolException>(() => CloseResponse.Parse(message));
    }
}
