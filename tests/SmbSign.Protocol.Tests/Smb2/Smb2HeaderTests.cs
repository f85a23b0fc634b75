using SmbSign.Protocol.Smb2;

namespace SmbSign.Protocol.Tests.Smb2;

public sealed class Smb2HeaderTests
{
    [Fact]
    public void WriteThenRead_RoundTripsEveryField()
    {
        var header = new Smb2Header(1, NtStatus.MoreProcessingRequired, Smb2Command.SessionSetup, 33, Smb2Flags.ServerToRedir | Smb2Flags.Signed, 0, 7, 0, 0x11, 0x1234_5678_9ABC_DEF0);
        byte[] bytes = new byte[Smb2Header.Size];

        header.Write(bytes);
        Smb2Header read = Smb2Header.Read(bytes);

        Assert.Equal(header, read);
        Assert.True(read.IsResponse);
        Assert.True(read.IsSigned);
    }

    [Theory]
    [InlineData("too short", "FE534D424000")]
    [InlineData("SMB1 magic", "FF534D42400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("bad structure size", "FE534D42410000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void TryRead_Malformed_ReturnsFalseWithReason(string description, string hex)
    {
        bool ok = Smb2Header.TryRead(Convert.FromHexString(hex), out _, out string? error);

        Assert.False(ok, description);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("3.1.1", Dialect.Smb311)]
    [InlineData("SMB2_02", Dialect.Smb202)]
    [InlineData("785", Dialect.Smb311)]
    [InlineData("nt1", Dialect.Smb1)]
    public void DialectTryParse_KnownSpellings(string text, Dialect expected)
    {
        Assert.True(DialectInfo.TryParse(text, out Dialect dialect));
        Assert.Equal(expected, dialect);
    }
}
