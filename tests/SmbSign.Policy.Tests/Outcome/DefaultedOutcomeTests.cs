using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Outcome;

public sealed class DefaultedOutcomeTests
{
    [Theory]
    [InlineData("win11-24h2-pro", "server2022", SigningResult.Signed, "client.RequireSecuritySignature")]
    [InlineData("win11-24h2-enterprise", "server2022", SigningResult.Signed, "client.RequireSecuritySignature")]
    [InlineData("win11-24h2-education", "server2022", SigningResult.Signed, "client.RequireSecuritySignature")]
    [InlineData("win11-24h2-home", "server2022", SigningResult.NotSigned, "client.RequireSecuritySignature")]
    [InlineData("win10", "server2025", SigningResult.NotSigned, "server.RequireSecuritySignature")]
    [InlineData("win10", "win11-24h2-pro", SigningResult.Signed, "server.RequireSecuritySignature")]
    [InlineData("win11-23h2", "server2022", SigningResult.NotSigned, "client.RequireSecuritySignature")]
    public void Evaluate_NothingConfigured_UsesOsDefaultsAndSaysSo(string clientOs, string serverOs, SigningResult expected, string deciding)
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get(clientOs)), new ServerPolicy(OsProfiles.Get(serverOs)), Dialect.Smb311);

        Assert.Equal(expected, outcome.Result);
        Assert.Contains(deciding, outcome.DecidedBy);
        Assert.Contains(outcome.Defaulted, d => d.Ref == deciding);
        Assert.Contains(outcome.Notes, n => n.StartsWith(deciding + " is not configured;", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_Server2025ServerFromWin10_NotSignedBecauseServer2025RequiresOutboundOnly()
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("win10")), new ServerPolicy(OsProfiles.Get("server2025")), Dialect.Smb311);

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
        Assert.Contains("Windows Server 2025 requires signing on all outbound", outcome.Input("server.RequireSecuritySignature")!.Provenance, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Server2025AsClient_RequiresSigningOutbound()
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("server2025")), new ServerPolicy(OsProfiles.Get("server2016")), Dialect.Smb302);

        Assert.Equal(SigningResult.Signed, outcome.Result);
        Assert.Equal(["client.RequireSecuritySignature"], outcome.DecidedBy.ToArray());
    }

    [Theory]
    [InlineData("server2016")]
    [InlineData("server2022")]
    [InlineData("server2025")]
    public void Evaluate_DomainControllerFromWin10_SignedByDefaultDomainControllersPolicy(string serverOs)
    {
        ServerPolicy dc = new(OsProfiles.Get(serverOs).WithRole(OsRole.DomainController));

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("win10")), dc, Dialect.Smb311);

        Assert.Equal(SigningResult.Signed, outcome.Result);
        Assert.Equal(["server.RequireSecuritySignature"], outcome.DecidedBy.ToArray());
        Assert.Contains(outcome.Notes, n => n.Contains("Default Domain Controllers Policy", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_ConfiguredValue_OverridesDefault()
    {
        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win11-24h2-pro")).With("client.RequireSecuritySignature", false);
        ServerPolicy server = new ServerPolicy(OsProfiles.Get("win11-24h2-pro")).With("server.RequireSecuritySignature", false);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, server, Dialect.Smb311);

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
        Assert.Equal(ValueOrigin.Configured, outcome.Input("client.RequireSecuritySignature")!.Origin);
        Assert.DoesNotContain(outcome.Notes, n => n.Contains("is not configured", StringComparison.Ordinal) && n.Contains("RequireSecuritySignature", StringComparison.Ordinal));
        Assert.Contains(outcome.Notes, n => n.Contains("TREE_CONNECT", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_Smb1WithDefaultDriverState_AssumesInstalledAndSaysSo()
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("win11-23h2")), new ServerPolicy(OsProfiles.Get("server2022")), Dialect.Smb1);

        Assert.NotEqual(SigningResult.Fails, outcome.Result);
        Assert.Contains(outcome.Notes, n => n.Contains("SMB1 is not installed by default", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("client.Smb1Driver", 4L)]
    [InlineData("server.SMB1", 0L)]
    public void Evaluate_Smb1ExplicitlyDisabled_Fails(string settingId, long value)
    {
        ClientPolicy client = new(OsProfiles.Get("win10"));
        ServerPolicy server = new(OsProfiles.Get("server2016"));
        if (settingId.StartsWith("client.", StringComparison.Ordinal))
        {
            client = client.With(settingId, SettingValue.FromNumber(value));
        }
        else
        {
            server = server.With(settingId, SettingValue.FromNumber(value));
        }

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, server, Dialect.Smb1);

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal([settingId], outcome.DecidedBy.ToArray());
    }
}
