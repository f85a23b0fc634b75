using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Outcome;

/// <summary>The Samba client × Samba server table as smbclient and smbd 4.17 behave (measured on the wire by
/// SigningMatrixInteropTests in the CLI tests); this copy keeps the engine honest without starting Samba.</summary>
public sealed class SambaProfileTests
{
    [Theory]
    // SMB1: only 'required' makes smbclient sign; smbd signs for it even with 'server signing = disabled'.
    [InlineData(SambaSigningMode.Disabled, SambaSigningMode.Disabled, SigningResult.NotSigned)]
    [InlineData(SambaSigningMode.IfRequired, SambaSigningMode.Disabled, SigningResult.NotSigned)]
    [InlineData(SambaSigningMode.Required, SambaSigningMode.Disabled, SigningResult.Signed)]
    [InlineData(SambaSigningMode.Disabled, SambaSigningMode.IfRequired, SigningResult.NotSigned)]
    [InlineData(SambaSigningMode.IfRequired, SambaSigningMode.IfRequired, SigningResult.NotSigned)]
    [InlineData(SambaSigningMode.Required, SambaSigningMode.IfRequired, SigningResult.Signed)]
    [InlineData(SambaSigningMode.Disabled, SambaSigningMode.Required, SigningResult.Fails)]
    [InlineData(SambaSigningMode.IfRequired, SambaSigningMode.Required, SigningResult.Signed)]
    [InlineData(SambaSigningMode.Required, SambaSigningMode.Required, SigningResult.Signed)]
    public void Smb1_SambaClientSambaServer_AsMeasured(SambaSigningMode client, SambaSigningMode server, SigningResult expected)
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(
            new ClientPolicy(OsProfiles.Get("samba")) { SambaSigning = client }, new ServerPolicy(OsProfiles.Get("samba")) { SambaSigning = server }, Dialect.Smb1);

        Assert.Equal(expected, outcome.Result);
    }

    [Fact]
    public void Smb1_SambaDisabledServer_RequiringClient_SambaSignsWindowsFails_NoteSaysWhy()
    {
        var server = new ServerPolicy(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Disabled };

        SigningOutcome samba = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Required }, server, Dialect.Smb1);
        SigningOutcome windows = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("win10")).With("client.RequireSecuritySignature", true), server, Dialect.Smb1);

        Assert.Equal(SigningResult.Signed, samba.Result);
        Assert.StartsWith("Samba differs from Windows here", samba.Notes[0], StringComparison.Ordinal);
        Assert.Equal(SigningResult.Fails, windows.Result);
    }

    [Theory]
    [InlineData(SambaSigningMode.Disabled)]
    [InlineData(SambaSigningMode.IfRequired)]
    [InlineData(SambaSigningMode.Required)]
    public void Smb2_SignedExactlyWhenEitherSideRequires(SambaSigningMode client)
    {
        foreach (SambaSigningMode server in new[] { SambaSigningMode.Disabled, SambaSigningMode.IfRequired, SambaSigningMode.Required })
        {
            foreach (Dialect dialect in new[] { Dialect.Smb210, Dialect.Smb311 })
            {
                SigningOutcome outcome = SigningOutcomeEngine.Evaluate(
                    new ClientPolicy(OsProfiles.Get("samba")) { SambaSigning = client }, new ServerPolicy(OsProfiles.Get("samba")) { SambaSigning = server }, dialect);
                bool signed = client == SambaSigningMode.Required || server == SambaSigningMode.Required;
                Assert.Equal(signed ? SigningResult.Signed : SigningResult.NotSigned, outcome.Result);
            }
        }
    }
}
