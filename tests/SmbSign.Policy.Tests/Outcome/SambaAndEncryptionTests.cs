using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Outcome;

public sealed class SambaAndEncryptionTests
{
    private static ClientPolicy Win10(bool require = false) => new ClientPolicy(OsProfiles.Get("win10")).With("client.RequireSecuritySignature", require);

    [Theory]
    [InlineData(SambaSigningMode.Required, SigningResult.Signed)]
    [InlineData(SambaSigningMode.IfRequired, SigningResult.NotSigned)]
    [InlineData(SambaSigningMode.Desired, SigningResult.NotSigned)]
    [InlineData(SambaSigningMode.Disabled, SigningResult.NotSigned)]
    [InlineData(SambaSigningMode.Default, SigningResult.NotSigned)]
    public void Evaluate_SambaServerSmb2_OnlyMandatoryRequires(SambaSigningMode mode, SigningResult expected)
    {
        ServerPolicy server = new(OsProfiles.Get("samba")) { SambaSigning = mode };

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(Win10(), server, Dialect.Smb311);

        Assert.Equal(expected, outcome.Result);
        Assert.Contains("smb.conf:server signing", outcome.DecidedBy);
    }

    [Fact]
    public void Evaluate_SambaServerDisabledSmb2_BehavesAsAutoAndSaysSo()
    {
        ServerPolicy server = new(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Disabled };

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(Win10(require: true), server, Dialect.Smb302);

        Assert.Equal(SigningResult.Signed, outcome.Result);
        Assert.Contains(outcome.Notes, n => n.Contains("behaves as 'auto'", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_SambaDomainControllerDefault_RequiresSigning()
    {
        ServerPolicy dc = new(OsProfiles.Get("samba").WithRole(OsRole.DomainController));

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(Win10(), dc, Dialect.Smb311);

        Assert.Equal(SigningResult.Signed, outcome.Result);
        Assert.Equal(["smb.conf:server signing"], outcome.DecidedBy.ToArray());
        Assert.True(outcome.Input("smb.conf:server signing")!.IsDefault);
        Assert.Contains("mandatory", outcome.Input("smb.conf:server signing")!.DisplayValue, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mandatory", SambaSigningMode.Required)]
    [InlineData("FORCED", SambaSigningMode.Required)]
    [InlineData("auto", SambaSigningMode.IfRequired)]
    [InlineData("yes", SambaSigningMode.IfRequired)]
    [InlineData("off", SambaSigningMode.Disabled)]
    [InlineData("desired", SambaSigningMode.Desired)]
    [InlineData("default", SambaSigningMode.Default)]
    public void SambaSigningMode_Parse_AcceptsSambaAliases(string text, SambaSigningMode expected)
    {
        Assert.True(SambaSigningModeInfo.TryParse(text, out SambaSigningMode mode));
        Assert.Equal(expected, mode);
    }

    [Fact]
    public void Evaluate_SambaClientRequired_SignsAgainstAnyServer()
    {
        ClientPolicy client = new(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Required };

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, new ServerPolicy(OsProfiles.Get("server2022")), Dialect.Smb311);

        Assert.Equal(SigningResult.Signed, outcome.Result);
        Assert.Equal(["smb.conf:client signing"], outcome.DecidedBy.ToArray());
    }

    [Theory]
    [InlineData("2.1", SigningResult.Fails)]
    [InlineData("smb1", SigningResult.Fails)]
    [InlineData("3.0", SigningResult.NotSigned)]
    [InlineData("3.1.1", SigningResult.NotSigned)]
    public void Evaluate_ClientRequiresEncryption_NeedsSmb3(string dialectText, SigningResult expected)
    {
        Assert.True(DialectInfo.TryParse(dialectText, out Dialect dialect));
        ClientPolicy client = Win10().With("client.RequireEncryption", true).With("client.Smb1Driver", SettingValue.FromNumber(3));
        ServerPolicy server = new ServerPolicy(OsProfiles.Get("server2016")).With("server.SMB1", true);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, server, dialect);

        Assert.Equal(expected, outcome.Result);
        if (expected == SigningResult.Fails)
        {
            Assert.Equal(["client.RequireEncryption"], outcome.DecidedBy.ToArray());
        }
        else
        {
            Assert.True(outcome.Encrypted);
            Assert.Contains(outcome.Notes, n => n.Contains("encrypts messages instead of signing", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(true, SigningResult.Fails)]
    [InlineData(false, SigningResult.NotSigned)]
    public void Evaluate_ServerEncryptDataOnSmb21_DependsOnRejectUnencryptedAccess(bool reject, SigningResult expected)
    {
        ServerPolicy server = new ServerPolicy(OsProfiles.Get("server2022"))
            .With("server.EncryptData", true)
            .With("server.RejectUnencryptedAccess", reject);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(Win10(), server, Dialect.Smb210);

        Assert.Equal(expected, outcome.Result);
        Assert.False(outcome.Encrypted);
    }

    [Theory]
    [InlineData("client.MinSmb2Dialect", "785", "2.1")]
    [InlineData("server.MinSmb2Dialect", "768", "2.0.2")]
    [InlineData("client.MaxSmb2Dialect", "770", "3.1.1")]
    public void Evaluate_DialectOutsideConfiguredRange_Fails(string settingId, string value, string dialectText)
    {
        Assert.True(DialectInfo.TryParse(dialectText, out Dialect dialect));
        ClientPolicy client = Win10();
        ServerPolicy server = new(OsProfiles.Get("server2022"));
        SettingValue v = SettingValue.FromNumber(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        if (settingId.StartsWith("client.", StringComparison.Ordinal))
        {
            client = client.With(settingId, v);
        }
        else
        {
            server = server.With(settingId, v);
        }

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, server, dialect);

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal([settingId], outcome.DecidedBy.ToArray());
    }

    [Fact]
    public void ClientPolicy_With_RejectsServerSettingUnknownIdAndBadValue()
    {
        ClientPolicy client = Win10();

        ArgumentException wrongSide = Assert.Throws<ArgumentException>(() => client.With("server.RequireSecuritySignature", true));
        ArgumentException unknown = Assert.Throws<ArgumentException>(() => client.With("client.RequireSecuritySignatur", true));
        ArgumentException badValue = Assert.Throws<ArgumentException>(() => client.With("client.MinSmb2Dialect", SettingValue.FromNumber(999)));

        Assert.Contains("server setting", wrongSide.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean client.RequireSecuritySignature", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("999", badValue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerPolicy_With_AcceptsSystemSetting()
    {
        ServerPolicy server = new ServerPolicy(OsProfiles.Get("server2022")).With("system.LmCompatibilityLevel", SettingValue.FromNumber(5));

        Assert.Equal(5, server.GetConfigured("system.LmCompatibilityLevel")!.Number);
    }
}
