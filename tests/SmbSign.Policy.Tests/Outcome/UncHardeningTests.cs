using System.Collections.Immutable;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Outcome;

public sealed class UncHardeningTests
{
    private static ClientPolicy Win10() => new ClientPolicy(OsProfiles.Get("win10")).With("client.RequireSecuritySignature", false);

    private static ServerPolicy Server() => new ServerPolicy(OsProfiles.Get("server2022")).With("server.RequireSecuritySignature", false);

    [Theory]
    [InlineData(@"\\dc1\SYSVOL", "client.HardenedPaths.SYSVOL")]
    [InlineData(@"\\dc1.corp.example\sysvol\corp.example\Policies", "client.HardenedPaths.SYSVOL")]
    [InlineData(@"\\10.0.0.1\NETLOGON", "client.HardenedPaths.NETLOGON")]
    [InlineData("//dc2/netlogon/scripts", "client.HardenedPaths.NETLOGON")]
    public void Evaluate_SysvolOrNetlogon_ClientRequiresSigningRegardless(string path, string expectedRef)
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(Win10(), Server(), Dialect.Smb311, SessionKind.User, path);

        Assert.Equal(SigningResult.Signed, outcome.Result);
        Assert.Equal([expectedRef], outcome.DecidedBy.ToArray());
        Assert.Contains(outcome.Notes, n => n.Contains("whatever RequireSecuritySignature says", StringComparison.Ordinal));
        Assert.Equal(path, outcome.Path);
    }

    [Theory]
    [InlineData(@"\\fs1\data")]
    [InlineData(@"\\fs1\SYSVOLS")]
    [InlineData(@"\\fs1\NETLOGON2\x")]
    public void Evaluate_OtherShare_NotHardened(string path)
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(Win10(), Server(), Dialect.Smb311, SessionKind.User, path);

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
        Assert.Contains(outcome.Notes, n => n.StartsWith("No Hardened UNC Paths entry matches", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_HardeningExplicitlyWithoutIntegrity_DoesNotRequireSigning()
    {
        ClientPolicy client = Win10().With("client.HardenedPaths.SYSVOL", SettingValue.FromText("RequireMutualAuthentication=1, RequireIntegrity=0"));

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, Server(), Dialect.Smb311, SessionKind.User, @"\\dc1\SYSVOL");

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
        Assert.Equal(ValueOrigin.Configured, outcome.Input("client.HardenedPaths.SYSVOL")!.Origin);
    }

    [Fact]
    public void Evaluate_SambaClient_HasNoUncHardening()
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("samba")), Server(), Dialect.Smb311, SessionKind.User, @"\\dc1\SYSVOL");

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
    }

    [Fact]
    public void Evaluate_ExtraPattern_MoreSpecificWins()
    {
        ClientPolicy client = Win10() with
        {
            ExtraHardenedPaths =
            [
                new HardenedPathRule(@"\\fs1\*", new HardenedPathValue(true, true, null)),
                new HardenedPathRule(@"\\fs1\public", new HardenedPathValue(false, false, null)),
            ],
        };

        SigningOutcome hardened = SigningOutcomeEngine.Evaluate(client, Server(), Dialect.Smb311, SessionKind.User, @"\\FS1\finance");
        SigningOutcome exempt = SigningOutcomeEngine.Evaluate(client, Server(), Dialect.Smb311, SessionKind.User, @"\\fs1\public\docs");

        Assert.Equal(SigningResult.Signed, hardened.Result);
        Assert.Equal([@"client.HardenedPaths[\\fs1\*]"], hardened.DecidedBy.ToArray());
        Assert.Equal(SigningResult.NotSigned, exempt.Result);
    }

    [Fact]
    public void Evaluate_PrivacyOnOldDialect_Fails()
    {
        ClientPolicy client = Win10().With("client.HardenedPaths.SYSVOL", SettingValue.FromText("RequireMutualAuthentication=1,RequireIntegrity=1,RequirePrivacy=1"));

        SigningOutcome old = SigningOutcomeEngine.Evaluate(client, Server(), Dialect.Smb210, SessionKind.User, @"\\dc1\SYSVOL");
        SigningOutcome modern = SigningOutcomeEngine.Evaluate(client, Server(), Dialect.Smb311, SessionKind.User, @"\\dc1\SYSVOL");

        Assert.Equal(SigningResult.Fails, old.Result);
        Assert.Equal(["client.HardenedPaths.SYSVOL"], old.DecidedBy.ToArray());
        Assert.True(modern.Encrypted);
    }

    [Theory]
    [InlineData("not a path")]
    [InlineData(@"\\serveronly")]
    [InlineData(@"C:\share")]
    public void Evaluate_InvalidPath_ThrowsArgumentException(string path)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => SigningOutcomeEngine.Evaluate(Win10(), Server(), Dialect.Smb311, SessionKind.User, path));

        Assert.Contains("is not a UNC path", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RequireMutualAuthentication=1, RequireIntegrity=1", "RequireIntegrity=1,RequireMutualAuthentication=1")]
    [InlineData("requireintegrity=1 ; RequireMutualAuthentication=1", "RequireMutualAuthentication=1,RequireIntegrity=1")]
    public void HardenedPathValue_OrderAndSpacing_ParseEqual(string a, string b)
    {
        Assert.True(HardenedPathValue.TryParse(a, out HardenedPathValue? x, out _));
        Assert.True(HardenedPathValue.TryParse(b, out HardenedPathValue? y, out _));

        Assert.Equal(x, y);
    }

    [Theory]
    [InlineData("empty", "")]
    [InlineData("unknown flag", "RequireSigning=1")]
    [InlineData("bad value", "RequireIntegrity=yes")]
    [InlineData("no value", "RequireIntegrity")]
    public void HardenedPathValue_Malformed_Rejected(string description, string text)
    {
        Assert.False(HardenedPathValue.TryParse(text, out _, out string error), description);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void ExtraHardenedPaths_DefaultIsEmpty()
    {
        Assert.Equal(ImmutableArray<HardenedPathRule>.Empty, Win10().ExtraHardenedPaths);
    }
}
