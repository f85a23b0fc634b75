using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.QueryDirectory;
using SmbSign.Protocol.Smb2.Read;

namespace SmbSign.Protocol.Tests.Smb2.Messages;

public sealed class ReadQueryDirectoryTests
{
    private static readonly Smb2FileId s_fileId = new(0x1122334455667788, 0x99AABBCCDDEEFF00);

    // [MS-FSCC] 2.4.10 FileDirectoryInformation, two entries: "." (NextEntryOffset 72: 64 + 2 name bytes, 8-aligned, 6 pad
    // bytes) and "hello.txt" (last: NextEntryOffset 0). Fields: NextEntryOffset | FileIndex | Creation | LastAccess |
    // LastWrite | Change | EndOfFile | AllocationSize | FileAttributes | FileNameLength | FileName.
    private const string TwoEntries =
        "48000000 00000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 0000000000000000 0000000000000000 10000000 02000000 2E00 000000000000" +
        "00000000 00000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 2600000000000000 0010000000000000 80000000 12000000 680065006C006C006F002E00740078007400";

    [Fact]
    public void ReadRequest_WriteTo_MatchesSpecLayout()
    {
        // [MS-SMB2] 2.2.19: StructureSize 49 | Padding 0x50 | Flags | Length 65536 | Offset 0 | FileId | MinimumCount
        // | Channel | RemainingBytes | ReadChannelInfoOffset | ReadChannelInfoLength | Buffer(1)
        var request = new ReadRequest { FileId = s_fileId, Length = 0x10000 };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex(
            "3100 50 00 00000100 0000000000000000 8877665544332211 00FFEEDDCCBBAA99 00000000 00000000 00000000 0000 0000 00")), hex);
        Assert.Equal(s_fileId, ReadRequest.Parse(TestMessages.Smb2(hex)).FileId);
    }

    [Fact]
    public void ReadResponse_Parse_ReturnsData()
    {
        // [MS-SMB2] 2.2.20: StructureSize 17 | DataOffset 0x50 | Reserved | DataLength 5 | DataRemaining | Reserved2 | "Hello"
        ReadResponse response = ReadResponse.Parse(TestMessages.Smb2("1100 50 00 05000000 00000000 00000000 48656C6C6F"));

        Assert.Equal("Hello", System.Text.Encoding.ASCII.GetString(response.Data.Span));
    }

    [Theory]
    [InlineData("data runs past the end", "1100 50 00 06000000 00000000 00000000 48656C6C6F")]
    [InlineData("data offset inside the fixed part", "1100 40 00 05000000 00000000 00000000 48656C6C6F")]
    [InlineData("fixed part truncated", "1100 50 00 05000000 0000")]
    public void ReadResponse_Malformed_Throws(string description, string body)
    {
        var e = Assert.Throws<SmbProtocolException>(() => ReadResponse.Parse(TestMessages.Smb2(body)));

        Assert.Contains("READ response", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Fact]
    public void QueryDirectoryRequest_WriteTo_MatchesSpecLayout()
    {
        // [MS-SMB2] 2.2.33: StructureSize 33 | FileIdBothDirectoryInformation | RESTART_SCANS | FileIndex | FileId
        // | FileNameOffset 96 | FileNameLength 2 | OutputBufferLength 65536 | "*"
        var request = new QueryDirectoryRequest
        {
            FileId = s_fileId,
            FileInformationClass = FileInformationClass.FileIdBothDirectoryInformation,
            Flags = QueryDirectoryFlags.RestartScans,
        };

        string hex = TestMessages.Write(request);

        Assert.Equal(Convert.ToHexString(TestMessages.Hex("2100 25 01 00000000 8877665544332211 00FFEEDDCCBBAA99 6000 0200 00000100 2A00")), hex);
        Assert.Equal("*", QueryDirectoryRequest.Parse(TestMessages.Smb2(hex)).Pattern);
    }

    [Fact]
    public void QueryDirectoryResponse_TwoEntries_DecodesNamesAndSizes()
    {
        // [MS-SMB2] 2.2.34: StructureSize 9 | OutputBufferOffset 72 | OutputBufferLength 154 | buffer
        byte[] message = TestMessages.Smb2("0900 4800 9A000000 " + TwoEntries);

        QueryDirectoryResponse response = QueryDirectoryResponse.Parse(message);
        IReadOnlyList<DirectoryEntry> entries = response.GetEntries(FileInformationClass.FileDirectoryInformation);

        Assert.Equal([".", "hello.txt"], entries.Select(e => e.FileName));
        Assert.True(entries[0].IsDirectory);
        Assert.Equal(38ul, entries[1].EndOfFile);
        Assert.Equal(0x1000ul, entries[1].AllocationSize);
    }

    [Fact]
    public void DirectoryEntry_IdBoth_DecodesShortNameAndFileId()
    {
        // [MS-FSCC] 2.4.17: the 64 common bytes, EaSize | ShortNameLength 2 | Reserved1 | ShortName(24) "A" | Reserved2 | FileId 0x42 | "a"
        byte[] entry = TestMessages.Hex(
            "00000000 00000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000 0100000000000000 0000000000000000 80000000 02000000" +
            "00000000 02 00 410000000000000000000000000000000000000000000000 0000 4200000000000000 6100");

        DirectoryEntry parsed = Assert.Single(DirectoryEntry.ParseList(entry, FileInformationClass.FileIdBothDirectoryInformation));

        Assert.Equal("a", parsed.FileName);
        Assert.Equal("A", parsed.ShortName);
        Assert.Equal(0x42ul, parsed.FileId);
    }

    [Fact]
    public void DirectoryEntry_EmptyBuffer_NoEntries()
    {
        Assert.Empty(DirectoryEntry.ParseList([], FileInformationClass.FileDirectoryInformation));
    }

    [Theory]
    [InlineData("misaligned NextEntryOffset", "48000000", "46000000")]
    [InlineData("NextEntryOffset past the buffer", "48000000", "00010000")]
    [InlineData("NextEntryOffset shorter than the entry", "48000000", "08000000")]
    [InlineData("FileNameLength past the buffer", "80000000 12000000", "80000000 14000000")]
    [InlineData("odd FileNameLength", "10000000 02000000", "10000000 01000000")]
    public void DirectoryEntry_Malformed_ThrowsWithOffset(string description, string replace, string with)
    {
        byte[] buffer = TestMessages.Hex(ReplaceFirst(TwoEntries, replace, with));

        var e = Assert.Throws<SmbProtocolException>(() => DirectoryEntry.ParseList(buffer, FileInformationClass.FileDirectoryInformation));

        Assert.True(e.Offset is >= 0, description + ": " + e.Message);
    }

    [Fact]
    public void DirectoryEntry_TruncatedSecondEntry_Throws()
    {
        byte[] buffer = TestMessages.Hex(TwoEntries)[..100];

        var e = Assert.Throws<SmbProtocolException>(() => DirectoryEntry.ParseList(buffer, FileInformationClass.FileDirectoryInformation));

        Assert.Equal(72, e.Offset);
    }

    [Fact]
    public void QueryDirectoryResponse_BufferPastEnd_Throws()
    {
        byte[] message = TestMessages.Smb2("0900 4800 9B000000 " + TwoEntries);

        Assert.Throws<SmbProtocolException>(() => QueryDirectoryResponse.Parse(message));
    }

    private static string ReplaceFirst(string text, string oldValue, string newValue)
    {
        int index = text.IndexOf(oldValue, StringComparison.Ordinal);
        Assert.True(index >= 0);
        return string.Concat(text.AsSpan(0, index), newValue, text.AsSpan(index + oldValue.Length));
    }
}
