using SmbSign.Protocol.Smb1;

namespace SmbSign.Protocol.Tests.Smb1;

/// <summary>SMB1 bodies after the 32-byte header, built by hand from [MS-CIFS] / [MS-SMB]. Unicode strings align to even
/// offsets from the header start, so the pad bytes below are where the spec puts them.</summary>
public sealed class Smb1MessageTests
{
    [Fact]
    public void SessionSetupAndXRequest_WriteTo_MatchesSpecLayout()
    {
        // [MS-SMB] 2.2.4.6.1: WordCount 12 | AndX FF 00 0000 | MaxBufferSize 0x1104 | MaxMpxCount 50 | VcNumber 1
        // | SessionKey 0x11223344 | SecurityBlobLength 4 | Reserved | Capabilities 0x80000054 | ByteCount 13
        // | blob (bytes start at 59, blob ends at 63: one pad byte) | "A\0" | "B\0"
        var request = new SessionSetupAndXRequest
        {
            SecurityBlob = new byte[] { 0xDE, 0xAD, 0xBE, 0xEF },
            MaxBufferSize = 0x1104,
            MaxMpxCount = 50,
            VcNumber = 1,
            SessionKey = 0x11223344,
            Capabilities = 0x80000054,
            NativeOs = "A",
            NativeLanMan = "B",
        };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex(
            "0C FF 00 0000 0411 3200 0100 44332211 0400 00000000 54000080 0D00 DEADBEEF 00 41000000 42000000")), hex);
        SessionSetupAndXRequest parsed = SessionSetupAndXRequest.Parse(TestMessages.Smb1(0x73, hex));
        Assert.Equal("DEADBEEF", Convert.ToHexString(parsed.SecurityBlob.Span));
        Assert.Equal("A", parsed.NativeOs);
        Assert.Equal("B", parsed.NativeLanMan);
    }

    [Fact]
    public void SessionSetupAndXResponse_Parse_ReadsBlobAndGuestBit()
    {
        // [MS-SMB] 2.2.4.6.2: WordCount 4 | AndX | Action GUEST | SecurityBlobLength 4 | ByteCount 13 | blob (43..46)
        // | pad (47) | "U\0" | "N\0"
        byte[] message = TestMessages.Smb1(0x73, "04 FF 00 0000 0100 0400 0D00 CAFEBABE 00 55000000 4E000000");

        SessionSetupAndXResponse response = SessionSetupAndXResponse.Parse(message);

        Assert.True(response.IsGuest);
        Assert.Equal("CAFEBABE", Convert.ToHexString(response.SecurityBlob.Span));
        Assert.Equal("U", response.NativeOs);
        Assert.Equal("N", response.NativeLanMan);
    }

    [Theory]
    [InlineData("blob longer than the data block", "04 FF 00 0000 0000 2000 0D00 CAFEBABE 00 55000000 4E000000")]
    [InlineData("WordCount 3", "03 FF 00 0000 0000 0400 0D00 CAFEBABE")]
    [InlineData("ByteCount past the end", "04 FF 00 0000 0000 0400 4000 CAFEBABE")]
    [InlineData("words truncated", "04 FF 00 0000")]
    [InlineData("empty body", "")]
    public void SessionSetupAndXResponse_Malformed_Throws(string description, string body)
    {
        var e = Assert.Throws<SmbProtocolException>(() => SessionSetupAndXResponse.Parse(TestMessages.Smb1(0x73, body)));

        Assert.Contains("SESSION_SETUP_ANDX response", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public void TreeConnectAndXRequest_WriteTo_MatchesSpecLayout()
    {
        // [MS-CIFS] 2.2.4.55.1 / [MS-SMB] 2.2.4.7.1: WordCount 4 | AndX | Flags EXTENDED_RESPONSE | PasswordLength 1
        // | ByteCount 19 | password NUL (43) | path at 44 (even: no pad) "\\h\s\0" | "?????\0"
        var request = new TreeConnectAndXRequest { Path = @"\\h\s" };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("04 FF 00 0000 0800 0100 1300 00 5C005C0068005C0073000000 3F3F3F3F3F00")), hex);
        TreeConnectAndXRequest parsed = TreeConnectAndXRequest.Parse(TestMessages.Smb1(0x75, hex));
        Assert.Equal(@"\\h\s", parsed.Path);
        Assert.Equal("?????", parsed.Service);
    }

    [Fact]
    public void TreeConnectAndXResponse_Extended_ReadsRightsAndService()
    {
        // [MS-SMB] 2.2.4.7.2: WordCount 7 | AndX | OptionalSupport 1 | MaximalShareAccessRights | Guest rights
        // | ByteCount 13 | "A:\0" (49..51) | "NTFS\0" UTF-16 at 52
        byte[] message = TestMessages.Smb1(0x75, "07 FF 00 0000 0100 FF011F00 00000000 0D00 413A00 4E00540046005300 0000");

        TreeConnectAndXResponse response = TreeConnectAndXResponse.Parse(message);

        Assert.Equal(0x001F01FFu, response.MaximalShareAccessRights);
        Assert.Equal("A:", response.Service);
        Assert.Equal("NTFS", response.NativeFileSystem);
    }

    [Fact]
    public void TreeConnectAndXResponse_Cifs_WordCount3()
    {
        byte[] message = TestMessages.Smb1(0x75, "03 FF 00 0000 0100 0400 49504300");

        TreeConnectAndXResponse response = TreeConnectAndXResponse.Parse(message);

        Assert.Equal("IPC", response.Service);
        Assert.Equal(0u, response.MaximalShareAccessRights);
    }

    [Fact]
    public void NtCreateAndXRequest_WriteTo_MatchesSpecLayout()
    {
        // [MS-CIFS] 2.2.4.64.1: WordCount 24 | AndX | Reserved | NameLength 4 | Flags | RootDirectoryFID | DesiredAccess
        // GENERIC_READ | AllocationSize | ExtFileAttributes | ShareAccess R|W | Disposition OPEN | Options | Impersonation 2
        // | SecurityFlags | ByteCount 7 | pad (bytes start at 83, odd) | "\a\0"
        var request = new NtCreateAndXRequest { FileName = @"\a" };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex(
            "18 FF 00 0000 00 0400 00000000 00000000 00000080 0000000000000000 00000000 03000000 01000000 00000000 02000000 00 0700 00 5C006100 0000")), hex);
        Assert.Equal(@"\a", NtCreateAndXRequest.Parse(TestMessages.Smb1(0xA2, hex)).FileName);
    }

    [Fact]
    public void NtCreateAndXResponse_Parse_ReadsFidAndSize()
    {
        // [MS-CIFS] 2.2.4.64.2: WordCount 34 | AndX | OplockLevel | FID 0x4000 | CreateDisposition 1 | 4 times
        // | ExtFileAttributes | AllocationSize | EndOfFile 38 | ResourceType | NMPipeStatus | Directory | ByteCount 0
        byte[] message = TestMessages.Smb1(0xA2,
            "22 FF 00 0000 00 0040 01000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 80000000 0010000000000000 2600000000000000 0000 0000 00 0000");

        NtCreateAndXResponse response = NtCreateAndXResponse.Parse(message);

        Assert.Equal(0x4000, response.Fid);
        Assert.Equal(38ul, response.EndOfFile);
        Assert.False(response.Directory);
    }

    [Fact]
    public void ReadAndX_RequestAndResponse_MatchSpecLayout()
    {
        // [MS-CIFS] 2.2.4.42.1: WordCount 12 | AndX | FID | Offset | MaxCount 4096 | MinCount | Timeout | Remaining | OffsetHigh | ByteCount 0
        var request = new ReadAndXRequest { Fid = 0x4000, MaxCount = 0x1000 };
        Assert.Equal(Convert.ToHexString(TestMessages.Hex("0C FF 00 0000 0040 00000000 0010 0000 00000000 0000 00000000 0000")), TestMessages.Write(request));

        // [MS-SMB] 2.2.4.2.2: WordCount 12 | AndX | Available | DataCompactionMode | Reserved1 | DataLength 5 | DataOffset 60
        // | DataLengthHigh | Reserved(8) | ByteCount 6 | pad (59) | "Hello" at 60
        byte[] message = TestMessages.Smb1(0x2E, "0C FF 00 0000 FFFF 0000 0000 0500 3C00 0000 0000000000000000 0600 00 48656C6C6F");
        ReadAndXResponse response = ReadAndXResponse.Parse(message);

        Assert.Equal("Hello", System.Text.Encoding.ASCII.GetString(response.Data.Span));
    }

    [Theory]
    [InlineData("data past the data block", "0C FF 00 0000 FFFF 0000 0000 0600 3C00 0000 0000000000000000 0600 00 48656C6C6F")]
    [InlineData("data offset before the data block", "0C FF 00 0000 FFFF 0000 0000 0500 2000 0000 0000000000000000 0600 00 48656C6C6F")]
    [InlineData("DataLengthHigh makes it huge", "0C FF 00 0000 FFFF 0000 0000 0500 3C00 0100 0000000000000000 0600 00 48656C6C6F")]
    public void ReadAndXResponse_Malformed_Throws(string description, string body)
    {
        var e = Assert.Throws<SmbProtocolException>(() => ReadAndXResponse.Parse(TestMessages.Smb1(0x2E, body)));

        Assert.Contains("READ_ANDX response", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public void CloseLogoffTreeDisconnect_WriteTo_MatchSpecLayout()
    {
        // [MS-CIFS] 2.2.4.5.1 CLOSE: WordCount 3 | FID | LastTimeModified FFFFFFFF | ByteCount 0
        Assert.Equal("030040FFFFFFFF0000", TestMessages.Write(new CloseRequest { Fid = 0x4000 }));

        // [MS-CIFS] 2.2.4.54.1 LOGOFF_ANDX: WordCount 2 | AndX | ByteCount 0
        Assert.Equal("02FF0000000000", TestMessages.Write(LogoffAndXRequest.Instance));

        // [MS-CIFS] 2.2.4.51.1 TREE_DISCONNECT: WordCount 0 | ByteCount 0
        Assert.Equal("000000", TestMessages.Write(TreeDisconnectRequest.Instance));
    }

    [Fact]
    public void EmptyResponses_Validate_AcceptEmptyRejectWords()
    {
        Smb1EmptyResponse.Validate(TestMessages.Smb1(0x04, "00 0000"), "CLOSE response");
        LogoffAndXRequest.Validate(TestMessages.Smb1(0x74, "02 FF 00 0000 0000"));

        Assert.Throws<SmbProtocolException>(() => Smb1EmptyResponse.Validate(TestMessages.Smb1(0x04, "01 0000 0000"), "CLOSE response"));
    }
}
