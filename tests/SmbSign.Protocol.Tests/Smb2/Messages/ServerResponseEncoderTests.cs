using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Create;
using SmbSign.Protocol.Smb2.Errors;
using SmbSign.Protocol.Smb2.Ioctl;
using SmbSign.Protocol.Smb2.QueryDirectory;
using SmbSign.Protocol.Smb2.QueryInfo;
using SmbSign.Protocol.Smb2.Read;
using SmbSign.Protocol.Smb2.TreeConnect;

namespace SmbSign.Protocol.Tests.Smb2.Messages;

/// <summary>The response encoders a server needs, checked against the spec layout and against the parsers.</summary>
public sealed class ServerResponseEncoderTests
{
    // [MS-SMB2] 2.2.14: StructureSize 89 | Oplock 0 | Flags 0 | CreateAction OPENED | 4 times | AllocationSize 0x1000
    // | EndOfFile 38 | FileAttributes NORMAL | Reserved2 | FileId | CreateContexts 0/0 | Buffer(1)
    private const string CreateResponseBody =
        "5900 00 00 01000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 0010000000000000 2600000000000000 80000000 00000000 8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 00";

    [Fact]
    public void CreateResponse_WriteTo_MatchesSpecLayout()
    {
        var response = new CreateResponse
        {
            CreateAction = 1, CreationTime = 1, LastAccessTime = 2, LastWriteTime = 3, ChangeTime = 4, AllocationSize = 0x1000, EndOfFile = 38,
            FileAttributes = 0x80, FileId = new Smb2FileId(0x1122334455667788, 0x99AABBCCDDEEFF00),
        };
        byte[] body = new byte[response.GetEncodedLength()];
        Assert.Equal(body.Length, response.WriteTo(body));
        Assert.Equal(Convert.ToHexString(TestMessages.Hex(CreateResponseBody)), Convert.ToHexString(body));
    }

    [Fact]
    public void Read_QueryInfo_QueryDirectory_TreeConnect_Ioctl_RoundTripThroughTheirParsers()
    {
        byte[] data = "hello"u8.ToArray();
        var readResponse = new ReadResponse { Data = data };
        ReadResponse read = ReadResponse.Parse(Message(readResponse.GetEncodedLength(), readResponse.WriteTo));
        Assert.Equal(data, read.Data.ToArray());

        byte[] info = [1, 2, 3, 4, 5, 6, 7, 8];
        var queryInfo = new QueryInfoResponse { OutputBuffer = info };
        Assert.Equal(info, QueryInfoResponse.Parse(Message(queryInfo.GetEncodedLength(), queryInfo.WriteTo)).OutputBuffer.ToArray());

        DirectoryEntry[] entries =
        [
            new("a.txt", 0, 1, 2, 3, 4, 10, 4096, 0x80, 7, string.Empty),
            new("longer-name.bin", 0, 5, 6, 7, 8, 20, 4096, 0x20, 8, string.Empty),
        ];
        foreach (FileInformationClass informationClass in new[] { FileInformationClass.FileDirectoryInformation, FileInformationClass.FileIdBothDirectoryInformation })
        {
            var listing = new QueryDirectoryResponse { OutputBuffer = DirectoryEntry.EncodeList(entries, informationClass) };
            IReadOnlyList<DirectoryEntry> parsed = QueryDirectoryResponse.Parse(Message(listing.GetEncodedLength(), listing.WriteTo)).GetEntries(informationClass);
            Assert.Equal(entries.Select(e => e.FileName), parsed.Select(e => e.FileName));
            Assert.Equal(entries.Select(e => e.EndOfFile), parsed.Select(e => e.EndOfFile));
            Assert.Equal(informationClass == FileInformationClass.FileIdBothDirectoryInformation ? [7UL, 8UL] : [0UL, 0UL], parsed.Select(e => e.FileId));
        }

        var tree = new TreeConnectResponse { ShareType = ShareType.Disk, MaximalAccess = 0x001200A9 };
        TreeConnectResponse treeParsed = TreeConnectResponse.Parse(Message(TreeConnectResponse.EncodedLength, tree.WriteTo));
        Assert.Equal(ShareType.Disk, treeParsed.ShareType);
        Assert.Equal(0x001200A9u, treeParsed.MaximalAccess);

        byte[] validate = new ValidateNegotiateInfoResponse(0, Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"), Smb2SecurityMode.SigningEnabled, Dialect.Smb302).ToArray();
        var ioctl = new IoctlResponse { CtlCode = IoctlRequest.FsctlValidateNegotiateInfo, FileId = Smb2FileId.None, Output = validate };
        IoctlResponse ioctlParsed = IoctlResponse.Parse(Message(ioctl.GetEncodedLength(), ioctl.WriteTo));
        Assert.Equal(Dialect.Smb302, ValidateNegotiateInfoResponse.Parse(ioctlParsed.Output.Span).Dialect);

        byte[] error = Message(ErrorResponse.EmptyEncodedLength, ErrorResponse.WriteEmpty);
        Assert.True(ErrorResponse.IsErrorBody(error));
        Assert.Empty(ErrorResponse.Parse(error).Contexts);
    }

    [Fact]
    public void QueryInfoRequest_RoundTrips_And_FileAllInformation_HasTheFsccLayout()
    {
        var request = new QueryInfoRequest { InfoType = QueryInfoType.File, FileInfoClass = FileInformation.FileAllInformation, FileId = new Smb2FileId(3, 3), OutputBufferLength = 4096 };
        QueryInfoRequest parsed = QueryInfoRequest.Parse(Message(request.GetEncodedLength(), request.WriteTo));
        Assert.Equal(FileInformation.FileAllInformation, parsed.FileInfoClass);
        Assert.Equal(new Smb2FileId(3, 3), parsed.FileId);
        Assert.Equal(4096u, parsed.OutputBufferLength);

        var file = new FileMetadata("probe.txt", 1, 2, 3, 4, 87, 4096, 0x01, 2);
        Assert.True(FileInformation.TryEncodeFile(FileInformation.FileAllInformation, file, 0x001200A9, out byte[] all));

        // [MS-FSCC] 2.4.2: Basic(40) Standard(24) Internal(8) Ea(4) Access(4) Position(8) Mode(4) Alignment(4) Name(4 + "\probe.txt").
        Assert.Equal(100 + 20, all.Length);
        Assert.Equal(87UL, BitConverter.ToUInt64(all, 48));
        Assert.Equal(2UL, BitConverter.ToUInt64(all, 64));
        Assert.Equal(0x001200A9u, BitConverter.ToUInt32(all, 76));
        Assert.Equal(20u, BitConverter.ToUInt32(all, 96));
        Assert.False(FileInformation.TryEncodeFile(0x7F, file, 0, out _));
    }

    private static byte[] Message(int bodyLength, BodyWriter write)
    {
        byte[] message = new byte[Smb2Header.Size + bodyLength];
        Smb2Requests.ResponseHeader(Smb2Command.Read, 1, 0).Write(message);
        Assert.Equal(bodyLength, write(message.AsSpan(Smb2Header.Size)));
        return message;
    }

    private delegate int BodyWriter(Span<byte> body);
}
