using SmbSign.Protocol.Smb1;

namespace SmbSign.Protocol.Tests.Smb1;

public sealed class Smb1NegotiateTests
{
    [Fact]
    public void MultiProtocol_Write_ExactBytes()
    {
        byte[] bytes = Smb1NegotiateRequest.MultiProtocol.ToArray();

        // FF 'SMB', 0x72, status 0, flags 0x18, flags2 0xC043, then WordCount 0, ByteCount 34 and three 0x02 dialect strings.
        Assert.Equal("FF534D4272" + "00000000" + "18" + "43C0", Convert.ToHexString(bytes, 0, 12));
        Assert.Equal("00" + "2200" + "024E54204C4D20302E313200" + "02534D4220322E30303200" + "02534D4220322E3F3F3F00", Convert.ToHexString(bytes, 32, bytes.Length - 32));
        Assert.Equal(["NT LM 0.12", "SMB 2.002", "SMB 2.???"], Smb1NegotiateRequest.Parse(bytes).Dialects);
    }

    [Theory]
    [InlineData(0x03, Smb1SigningState.Disabled)]
    [InlineData(0x07, Smb1SigningState.Enabled)]
    [InlineData(0x0F, Smb1SigningState.Required)]
    [InlineData(0x0B, Smb1SigningState.Required)]
    public void SigningState_FromSecurityModeBits(byte mode, Smb1SigningState expected)
    {
        byte[] bytes = new Smb1NegotiateResponse { Flags2 = Smb1Flags2.Unicode, SecurityMode = (Smb1SecurityMode)mode, Challenge = new byte[8], DomainName = "WG", ServerName = "SRV" }.ToArray();

        Assert.Equal(expected, Smb1NegotiateResponse.Parse(bytes).SigningState);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NonExtended_RoundTrip_DomainAndServerName(bool unicode)
    {
        var response = new Smb1NegotiateResponse
        {
            Flags2 = unicode ? Smb1Flags2.Unicode : Smb1Flags2.None,
            SecurityMode = Smb1SecurityMode.UserSecurity | Smb1SecurityMode.EncryptPasswords,
            Challenge = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 },
            DomainName = "SMBSIGNTEST",
            ServerName = "SMBSIGNFIX",
        };

        Smb1NegotiateResponse parsed = Smb1NegotiateResponse.Parse(response.ToArray());

        Assert.False(parsed.IsExtendedSecurity);
        Assert.Equal("SMBSIGNTEST", parsed.DomainName);
        Assert.Equal("SMBSIGNFIX", parsed.ServerName);
        Assert.Equal(response.Challenge.ToArray(), parsed.Challenge.ToArray());
    }

    [Fact]
    public void Extended_RoundTrip_GuidAndBlob()
    {
        var guid = Guid.NewGuid();
        var response = new Smb1NegotiateResponse { Flags2 = Smb1Flags2.ExtendedSecurity | Smb1Flags2.Unicode, ServerGuid = guid, SecurityBlob = new byte[] { 0x60, 0x00 } };

        Smb1NegotiateResponse parsed = Smb1NegotiateResponse.Parse(response.ToArray());

        Assert.True(parsed.IsExtendedSecurity);
        Assert.Equal(guid, parsed.ServerGuid);
        Assert.Equal(new byte[] { 0x60, 0x00 }, parsed.SecurityBlob.ToArray());
    }

    [Fact]
    public void NoDialect_WordCountOne_HasDialectFalse()
    {
        Assert.False(Smb1NegotiateResponse.Parse(new Smb1NegotiateResponse { DialectIndex = Smb1NegotiateResponse.NoDialect }.ToArray()).HasDialect);
    }

    [Theory]
    [InlineData("LANMAN word count", 32, 13, "WordCount is 13")]
    [InlineData("wrong command", 4, 0x73, "expected an SMB1 NEGOTIATE response")]
    [InlineData("byte count past the end", 67, 0xFF, "truncated")]
    public void Parse_Malformed_Throws(string description, int offset, byte value, string expected)
    {
        byte[] bytes = new Smb1NegotiateResponse { Flags2 = Smb1Flags2.Unicode, Challenge = new byte[8], DomainName = "WG" }.ToArray();
        bytes[offset] = value;

        SmbProtocolException e = Assert.Throws<SmbProtocolException>(() => Smb1NegotiateResponse.Parse(bytes));

        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{description}: {e.Message}");
    }

    [Fact]
    public void Parse_EveryTruncation_ThrowsProtocolExceptionOnly()
    {
        byte[] bytes = new Smb1NegotiateResponse { Flags2 = Smb1Flags2.None, Challenge = new byte[8] }.ToArray();

        for (int length = 0; length < 32 + 1 + 34 + 2; length++)
        {
            byte[] cut = bytes.AsSpan(0, length).ToArray();
            Assert.Throws<SmbProtocolException>(() => Smb1NegotiateResponse.Parse(cut));
        }
    }
}
