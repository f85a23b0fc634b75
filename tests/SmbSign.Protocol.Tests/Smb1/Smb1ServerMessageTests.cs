using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2.QueryInfo;

namespace SmbSign.Protocol.Tests.Smb1;

/// <summary>The server-side SMB1 codecs the listener uses: response encoders (checked against hand-built [MS-CIFS] /
/// [MS-SMB] layouts and read back by the client-side parsers), the TRANSACTION2 request parser and the AndX chain check.</summary>
public sealed class Smb1ServerMessageTests
{
    [Fact]
    public void SessionSetupAndXResponse_WriteTo_MatchesSpecLayoutAndParsesBack()
    {
        // [MS-SMB] 2.2.4.6.2: WordCount 4 | AndX | Action GUEST | SecurityBlobLength 4 | ByteCount 13 | blob (43..46)
        // | pad (47) | "U\0" | "N\0" — the layout the parser test reads.
        var response = new SessionSetupAndXResponse { Action = 1, SecurityBlob = new byte[] { 0xCA, 0xFE, 0xBA, 0xBE }, NativeOs = "U", NativeLanMan = "N" };

        byte[] body = Write(response);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("04 FF 00 0000 0100 0400 0D00 CAFEBABE 00 55000000 4E000000")), Convert.ToHexString(body));
        SessionSetupAndXResponse parsed = SessionSetupAndXResponse.Parse(TestMessages.Smb1(0x73, Convert.ToHexString(body)));
        Assert.True(parsed.IsGuest);
        Assert.Equal("N", parsed.NativeLanMan);
    }

    [Fact]
    public void TreeConnectAndXResponse_WriteTo_Extended_MatchesSpecLayout()
    {
        // [MS-SMB] 2.2.4.7.2: WordCount 7 | AndX | OptionalSupport 1 | rights | guest rights | ByteCount 13 | "A:\0" (49..51)
        // | "NTFS\0" UTF-16 at 52 (even: no pad)
        var response = new TreeConnectAndXResponse
        {
            Extended = true,
            OptionalSupport = 1,
            MaximalShareAccessRights = 0x001F01FF,
            Service = "A:",
            NativeFileSystem = "NTFS",
        };

        byte[] body = Write(response);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("07 FF 00 0000 0100 FF011F00 00000000 0D00 413A00 4E00540046005300 0000")), Convert.ToHexString(body));
    }

    [Fact]
    public void TreeConnectAndXResponse_WriteTo_Cifs_PadsTheUnicodeFileSystem()
    {
        // [MS-CIFS] 2.2.4.55.2: WordCount 3 | AndX | OptionalSupport | ByteCount | "IPC\0" (41..44) | pad (45) | "\0\0" at 46
        var response = new TreeConnectAndXResponse { Service = "IPC", NativeFileSystem = string.Empty };

        byte[] body = Write(response);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("03 FF 00 0000 0000 0700 49504300 00 0000")), Convert.ToHexString(body));
        TreeConnectAndXResponse parsed = TreeConnectAndXResponse.Parse(TestMessages.Smb1(0x75, Convert.ToHexString(body)));
        Assert.Equal("IPC", parsed.Service);
        Assert.False(parsed.Extended);
    }

    [Fact]
    public void NtCreateAndXResponse_WriteTo_MatchesTheParserLayout()
    {
        var response = new NtCreateAndXResponse
        {
            Fid = 0x4000,
            CreateDisposition = 1,
            CreationTime = 1,
            LastAccessTime = 2,
            LastWriteTime = 3,
            LastChangeTime = 4,
            ExtFileAttributes = 0x80,
            AllocationSize = 0x1000,
            EndOfFile = 38,
        };

        byte[] body = Write(response);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex(
            "22 FF 00 0000 00 0040 01000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 80000000 0010000000000000 2600000000000000 0000 0000 00 0000")),
            Convert.ToHexString(body));
    }

    [Fact]
    public void ReadAndXResponse_WriteTo_PutsDataAtOffset60()
    {
        // [MS-SMB] 2.2.4.2.2: ... DataLength 5 | DataOffset 60 | DataLengthHigh 0 | Reserved(8) | ByteCount 6 | pad | "Hello"
        var response = new ReadAndXResponse { Available = 0xFFFF, Data = "Hello"u8.ToArray() };

        byte[] body = Write(response);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("0C FF 00 0000 FFFF 0000 0000 0500 3C00 0000 0000000000000000 0600 00 48656C6C6F")), Convert.ToHexString(body));
        Assert.Equal("Hello", System.Text.Encoding.ASCII.GetString(ReadAndXResponse.Parse(TestMessages.Smb1(0x2E, Convert.ToHexString(body))).Data.Span));
    }

    [Fact]
    public void QueryInformation2_RoundTripsAndEncodesSmbDateTime()
    {
        // [MS-CIFS] 2.2.1.4: 2026-01-01 00:00:00 → date ((2026-1980) << 9) | (1 << 5) | 1 = 0x5C21, time 0.
        var time = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var response = new QueryInformation2Response { CreationTime = time, LastAccessTime = time, LastWriteTime = time, FileDataSize = 87, FileAllocationSize = 4096, FileAttributes = 1 };

        byte[] body = Write(response);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("0B 215C 0000 215C 0000 215C 0000 57000000 00100000 0100 0000")), Convert.ToHexString(body));
        QueryInformation2Response parsed = QueryInformation2Response.Parse(TestMessages.Smb1(0x23, Convert.ToHexString(body)));
        Assert.Equal(time, parsed.LastWriteTime);
        Assert.Equal(87u, parsed.FileDataSize);
        Assert.Equal(0x4000, QueryInformation2Request.Parse(TestMessages.Smb1(0x23, "01 0040 0000")).Fid);
        Assert.Equal(DateTime.MinValue, QueryInformation2Response.FromSmbDateTime(0, 0));
    }

    /// <summary>Samba's TRANS2_QUERY_FILE_INFORMATION for SMB_QUERY_FILE_ALL_INFO: WordCount 15 (one setup word), 4
    /// parameter bytes at offset 68 (after the two-byte Unicode Name and a pad), no data.</summary>
    private const string QueryFileAllInfoRequest =
        "0F 0400 0000 0200 A00F 00 00 0000 00000000 0000 0400 4400 0000 4800 01 00 0700 0700 000000 0100 0701";

    [Fact]
    public void Transaction2Request_Parse_ReadsSubcommandAndParameters()
    {
        Transaction2Request request = Transaction2Request.Parse(TestMessages.Smb1(0x32, QueryFileAllInfoRequest));

        Assert.Equal(Transaction2Request.QueryFileInformation, request.Subcommand);
        Assert.Equal(0x0FA0, request.MaxDataCount);
        QueryFileInformationParameters parameters = QueryFileInformationParameters.Parse(request.Parameters.Span);
        Assert.Equal(1, parameters.Fid);
        Assert.Equal(QueryFileInformationParameters.QueryFileAllInfo, parameters.InformationLevel);
        Assert.True(request.Data.IsEmpty);
    }

    [Theory]
    [InlineData("ParameterOffset inside the words", "0F 0400 0000 0200 A00F 00 00 0000 00000000 0000 0400 2000 0000 4800 01 00 0700 0700 000000 0100 0701", "ParameterOffset")]
    [InlineData("ParameterCount past the data block", "0F 0400 0000 0200 A00F 00 00 0000 00000000 0000 0400 4600 0000 4800 01 00 0700 0700 000000 0100 0701", "ParameterOffset")]
    [InlineData("SetupCount disagrees with WordCount", "0F 0400 0000 0200 A00F 00 00 0000 00000000 0000 0400 4400 0000 4800 03 00 0700 0700 000000 0100 0701", "SetupCount")]
    [InlineData("parameters split over a secondary request", "0F 0800 0000 0200 A00F 00 00 0000 00000000 0000 0400 4400 0000 4800 01 00 0700 0700 000000 0100 0701", "secondary")]
    [InlineData("WordCount below 14", "0D 0400 0000 0200 A00F 00 00 0000 00000000 0000 0400 4400 0000 4800 0000", "WordCount")]
    [InlineData("ByteCount past the end", "0F 0400 0000 0200 A00F 00 00 0000 00000000 0000 0400 4400 0000 4800 01 00 0700 FF00 000000", "TRANSACTION2 request")]
    public void Transaction2Request_Malformed_Throws(string description, string body, string fragment)
    {
        var e = Assert.Throws<SmbProtocolException>(() => Transaction2Request.Parse(TestMessages.Smb1(0x32, body)));

        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public void Transaction2Response_WriteTo_AlignsParametersAndData()
    {
        // [MS-CIFS] 2.2.4.46.2: WordCount 10 | TotalParameterCount 2 | TotalDataCount 4 | Reserved | ParameterCount 2
        // | ParameterOffset 56 | Displacement | DataCount 4 | DataOffset 60 | Displacement | SetupCount 0 | Reserved
        // | ByteCount 9 | pad (55) | parameters (56..57) | pad (58..59) | data at 60
        var response = new Transaction2Response { Parameters = new byte[2], Data = new byte[] { 1, 2, 3, 4 } };

        byte[] body = Write(response);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("0A 0200 0400 0000 0200 3800 0000 0400 3C00 0000 00 00 0900 00 0000 0000 01020304")), Convert.ToHexString(body));
        Transaction2Response parsed = Transaction2Response.Parse(TestMessages.Smb1(0x32, Convert.ToHexString(body)));
        Assert.Equal("01020304", Convert.ToHexString(parsed.Data.Span));
    }

    [Fact]
    public void QueryFileAllInfo_EncodesBasicStandardEaAndName()
    {
        var file = new FileMetadata("a", 1, 2, 3, 4, 87, 4096, FileMetadata.ReadOnlyAttribute, 2);

        byte[] all = QueryFileInformationParameters.Encode(QueryFileInformationParameters.QueryFileAllInfo, file)!;

        // [MS-CIFS] 2.2.8.3.8: times (0..31) | ExtFileAttributes (32) | Reserved | AllocationSize (40) | EndOfFile (48)
        // | NumberOfLinks (56) | DeletePending | Directory | Reserved | EaSize (64) | FileNameLength (68) | "a" (72)
        Assert.Equal(74, all.Length);
        Assert.Equal(1u, BitConverter.ToUInt32(all, 32));
        Assert.Equal(87ul, BitConverter.ToUInt64(all, 48));
        Assert.Equal(2u, BitConverter.ToUInt32(all, 68));
        Assert.Equal(40, QueryFileInformationParameters.Encode(QueryFileInformationParameters.QueryFileBasicInfo, file)!.Length);
        Assert.Equal(24, QueryFileInformationParameters.Encode(QueryFileInformationParameters.QueryFileStandardInfo, file)!.Length);
        Assert.Null(QueryFileInformationParameters.Encode(0x0200, file));
    }

    [Theory]
    [InlineData("AndXOffset points back at the first block", "0C 75 00 2000 0000000000000000000000000000000000000000 0000", "points before the end")]
    [InlineData("AndXOffset past the end", "0C 75 00 F0FF 0000000000000000000000000000000000000000 0000", "lies outside")]
    [InlineData("AndXOffset into its own data block", "0C 75 00 3C00 0000000000000000000000000000000000000000 0200 0000", "points before the end")]
    [InlineData("chained block truncated", "0C 75 00 3B00 0000000000000000000000000000000000000000 0000 04 FF00", "truncated")]
    [InlineData("chained ByteCount past the end", "0C 75 00 3B00 0000000000000000000000000000000000000000 0000 00 FF7F", "ByteCount")]
    [InlineData("WordCount too small", "01 FF00 0000", "too small")]
    [InlineData("ByteCount past the end", "0C FF 00 0000 0000000000000000000000000000000000000000 0010", "ByteCount")]
    public void Smb1AndX_Read_RejectsChainsThatLie(string description, string body, string fragment)
    {
        var e = Assert.Throws<SmbProtocolException>(() => Smb1AndX.Read(TestMessages.Smb1(0x73, body), Smb1Header.Size, "test"));

        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public void Smb1AndX_Read_FollowsAWellFormedChain()
    {
        // First block ends at 59 (0x3B); the chained TREE_CONNECT_ANDX block (WordCount 4, ByteCount 0) starts there.
        byte[] message = TestMessages.Smb1(0x73, "0C 75 00 3B00 0000000000000000000000000000000000000000 0000 04 FF 00 0000 0000 0000 0000");

        Smb1AndX first = Smb1AndX.Read(message, Smb1Header.Size, "test");
        Smb1AndX second = Smb1AndX.Read(message, first.Offset, "test");

        Assert.True(first.HasNext);
        Assert.Equal(0x75, first.Command);
        Assert.False(second.HasNext);
    }

    private static byte[] Write(ISmb1Response response)
    {
        byte[] body = new byte[response.GetEncodedLength()];
        Assert.Equal(body.Length, response.WriteTo(body));
        return body;
    }
}
