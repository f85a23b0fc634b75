using SmbSign.Protocol.Security.Spnego;

namespace SmbSign.Protocol.Tests.Security;

public sealed class SpnegoTests
{
    [Fact] // protocol notes §14: the mechTypes list with NTLMSSP alone, as covered by mechListMIC.
    public void EncodeMechTypeList_Ntlmssp_KnownDer()
    {
        Assert.Equal("300C060A2B0601040182370202 0A".Replace(" ", string.Empty, StringComparison.Ordinal), Convert.ToHexString(NegTokenInit.EncodeMechTypeList([SpnegoMechanisms.Ntlmssp])));
    }

    [Fact]
    public void NegTokenInit_WindowsStyleServerToken_DecodesMechsAndHint()
    {
        var token = new NegTokenInit
        {
            MechTypes = [SpnegoMechanisms.Negoex, SpnegoMechanisms.MsKerberos, SpnegoMechanisms.Kerberos, SpnegoMechanisms.KerberosUserToUser, SpnegoMechanisms.Ntlmssp],
            HintName = "not_defined_in_RFC4178@please_ignore",
        };

        NegTokenInit decoded = NegTokenInit.Decode(token.Encode());

        Assert.Equal(["NEGOEX", "MS-KRB5", "Kerberos", "KRB5-U2U", "NTLMSSP"], decoded.MechanismNames);
        Assert.Equal("not_defined_in_RFC4178@please_ignore", decoded.HintName);
        Assert.Null(decoded.MechToken);
    }

    [Fact]
    public void NegTokenInit_ClientToken_StartsWithGssWrapperAndRoundTrips()
    {
        byte[] encoded = new NegTokenInit { MechTypes = [SpnegoMechanisms.Ntlmssp], MechToken = new byte[] { 0x4E, 0x54 } }.Encode();

        NegTokenInit decoded = NegTokenInit.Decode(encoded);

        Assert.Equal(0x60, encoded[0]);
        Assert.Equal("06062B0601050502", Convert.ToHexString(encoded, 2, 8));
        Assert.Equal(new byte[] { 0x4E, 0x54 }, decoded.MechToken!.Value.ToArray());
    }

    [Fact]
    public void NegTokenResp_RoundTrip()
    {
        var resp = new NegTokenResp { NegState = SpnegoNegState.AcceptIncomplete, SupportedMech = SpnegoMechanisms.Ntlmssp, ResponseToken = new byte[] { 1, 2 }, MechListMic = new byte[] { 3 } };

        NegTokenResp decoded = NegTokenResp.Decode(resp.Encode());

        Assert.Equal(SpnegoNegState.AcceptIncomplete, decoded.NegState);
        Assert.Equal(SpnegoMechanisms.Ntlmssp, decoded.SupportedMech);
        Assert.Equal(new byte[] { 1, 2 }, decoded.ResponseToken!.Value.ToArray());
        Assert.Equal(new byte[] { 3 }, decoded.MechListMic!.Value.ToArray());
    }

    [Theory]
    [InlineData("empty", "")]
    [InlineData("length past the end", "6082FFFF")]
    [InlineData("not SPNEGO", "600B06092A864886F712010202")]
    [InlineData("garbage after GSS wrapper", "6008" + "06062B0601050502")]
    [InlineData("trailing bytes", "600A06062B0601050502A000FF")]
    [InlineData("random bytes", "DEADBEEF")]
    public void NegTokenInit_Garbage_ThrowsProtocolException(string description, string hex)
    {
        Assert.Throws<SmbProtocolException>(() => NegTokenInit.Decode(Convert.FromHexString(hex)));
        Assert.NotEmpty(description);
    }

    [Theory]
    [InlineData("wrong choice", "A0023000")]
    [InlineData("truncated", "A1053003A001")]
    [InlineData("bad enumerated", "A1073005A0030A0109")]
    public void NegTokenResp_Garbage_ThrowsProtocolException(string description, string hex)
    {
        Assert.Throws<SmbProtocolException>(() => NegTokenResp.Decode(Convert.FromHexString(hex)));
        Assert.NotEmpty(description);
    }
}
