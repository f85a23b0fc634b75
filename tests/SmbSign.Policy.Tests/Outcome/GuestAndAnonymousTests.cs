using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Outcome;

// Source: docs/reference/protocol.md §11 (MS-SMB2 3.2.5.3.1, 3.3.5.5) and docs/reference/policy.md §5.
public sealed class GuestAndAnonymousTests
{
    [Theory]
    [InlineData(SessionKind.Guest)]
    [InlineData(SessionKind.Anonymous)]
    public void Evaluate_ClientDoesNotRequireSigning_WorksUnsigned(SessionKind session)
    {
        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win10"))
            .With("client.RequireSecuritySignature", false)
            .With("client.AllowInsecureGuestAuth", true);
        ServerPolicy server = new ServerPolicy(OsProfiles.Get("server2022")).With("server.RequireSecuritySignature", true);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, server, Dialect.Smb311, session);

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
        Assert.Null(outcome.Algorithm);
        Assert.Contains(outcome.Notes, n => n.StartsWith("Guest and anonymous sessions are never signed", StringComparison.Ordinal));
        Assert.Contains(outcome.Notes, n => n.Contains("does not apply to guest or anonymous sessions", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(SessionKind.Guest, "3.1.1")]
    [InlineData(SessionKind.Guest, "2.1")]
    [InlineData(SessionKind.Guest, "smb1")]
    [InlineData(SessionKind.Anonymous, "3.1.1")]
    [InlineData(SessionKind.Anonymous, "smb1")]
    public void Evaluate_ClientRequiresSigningExplicitly_Fails(SessionKind session, string dialectText)
    {
        Assert.True(DialectInfo.TryParse(dialectText, out Dialect dialect));
        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win10"))
            .With("client.RequireSecuritySignature", true)
            .With("client.AllowInsecureGuestAuth", true);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, new ServerPolicy(OsProfiles.Get("server2016")), dialect, session);

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal(["client.RequireSecuritySignature"], outcome.DecidedBy.ToArray());
        Assert.Null(outcome.Algorithm);
        if (session == SessionKind.Guest)
        {
            Assert.Contains(SigningOutcomeEngine.GuestCannotSignNote, outcome.Notes);
        }
        else
        {
            Assert.Contains(outcome.Notes, n => n.Contains("anonymous (null) session cannot sign", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Evaluate_Win11_24H2ProGuest_FailsOnDefaultsForTwoReasons()
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(
            new ClientPolicy(OsProfiles.Get("win11-24h2-pro")),
            new ServerPolicy(OsProfiles.Get("samba")),
            Dialect.Smb311,
            SessionKind.Guest);

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal(["client.AllowInsecureGuestAuth", "client.RequireSecuritySignature"], outcome.DecidedBy.ToArray());
        Assert.Contains(SigningOutcomeEngine.GuestCannotSignNote, outcome.Notes);
        Assert.True(outcome.Input("client.RequireSecuritySignature")!.IsDefault);
        Assert.True(outcome.Input("client.AllowInsecureGuestAuth")!.IsDefault);
    }

    [Fact]
    public void Evaluate_Win11_24H2HomeGuest_WorksUnsigned()
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(
            new ClientPolicy(OsProfiles.Get("win11-24h2-home")),
            new ServerPolicy(OsProfiles.Get("samba")),
            Dialect.Smb311,
            SessionKind.Guest);

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
        Assert.Contains("client.AllowInsecureGuestAuth", outcome.DecidedBy);
    }

    [Fact]
    public void Evaluate_GuestBlockedByInsecureGuestPolicyOnly_FailsWithoutSigningNote()
    {
        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win10-enterprise")).With("client.RequireSecuritySignature", false);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, new ServerPolicy(OsProfiles.Get("samba")), Dialect.Smb302, SessionKind.Guest);

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal(["client.AllowInsecureGuestAuth"], outcome.DecidedBy.ToArray());
        Assert.DoesNotContain(SigningOutcomeEngine.GuestCannotSignNote, outcome.Notes);
    }

    [Fact]
    public void Evaluate_GuestToSysvolFromWin10_FailsThroughUncHardening()
    {
        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win10")).With("client.AllowInsecureGuestAuth", true);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, new ServerPolicy(OsProfiles.Get("server2022")), Dialect.Smb311, SessionKind.Guest, @"\\dc1\SYSVOL\corp.example");

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal(["client.HardenedPaths.SYSVOL"], outcome.DecidedBy.ToArray());
        Assert.Contains(SigningOutcomeEngine.GuestCannotSignNote, outcome.Notes);
    }

    [Fact]
    public void Evaluate_GuestNeedsEncryption_Fails()
    {
        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win10"))
            .With("client.AllowInsecureGuestAuth", true)
            .With("client.RequireEncryption", true);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, new ServerPolicy(OsProfiles.Get("server2022")), Dialect.Smb311, SessionKind.Guest);

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal(["client.RequireEncryption"], outcome.DecidedBy.ToArray());
        Assert.Contains("cannot be encrypted", outcome.FailureReason, StringComparison.Ordinal);
    }
}
