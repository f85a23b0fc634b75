using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Outcome;

// Source: docs/reference/protocol.md §1 and §10 (MS-SMB2 3.1.4.1, 2.2.3.1.7; Samba smb2_negprot.c).
public sealed class AlgorithmSelectionTests
{
    private static SigningOutcome Signed(string clientOs, string serverOs, Dialect dialect, Func<ClientPolicy, ClientPolicy>? client = null, Func<ServerPolicy, ServerPolicy>? server = null)
    {
        ClientPolicy c = new ClientPolicy(OsProfiles.Get(clientOs)).With("client.RequireSecuritySignature", true);
        ServerPolicy s = new(OsProfiles.Get(serverOs));
        return SigningOutcomeEngine.Evaluate(client?.Invoke(c) ?? c, server?.Invoke(s) ?? s, dialect);
    }

    [Theory]
    [InlineData("2.0.2", SigningAlgorithm.HmacSha256)]
    [InlineData("2.1", SigningAlgorithm.HmacSha256)]
    [InlineData("3.0", SigningAlgorithm.AesCmac)]
    [InlineData("3.0.2", SigningAlgorithm.AesCmac)]
    [InlineData("smb1", SigningAlgorithm.Md5Smb1)]
    public void Evaluate_FixedAlgorithmDialects(string dialectText, SigningAlgorithm expected)
    {
        Assert.True(DialectInfo.TryParse(dialectText, out Dialect dialect));

        Assert.Equal(expected, Signed("win11-24h2-pro", "server2022", dialect).Algorithm);
    }

    [Theory]
    [InlineData("win11-24h2-pro", "server2022", SigningAlgorithm.AesGmac)]
    [InlineData("win11-23h2", "server2025", SigningAlgorithm.AesGmac)]
    [InlineData("win10", "server2022", SigningAlgorithm.AesCmac)]
    [InlineData("win11-24h2-pro", "server2019", SigningAlgorithm.AesCmac)]
    [InlineData("win11-24h2-pro", "samba", SigningAlgorithm.AesGmac)]
    public void Evaluate_311_NegotiatesFromBothLists(string clientOs, string serverOs, SigningAlgorithm expected)
    {
        SigningOutcome outcome = Signed(clientOs, serverOs, Dialect.Smb311);

        Assert.Equal(expected, outcome.Algorithm);
        Assert.Contains(outcome.Notes, n => n.StartsWith("SMB 3.1.1 signing algorithm:", StringComparison.Ordinal));
        Assert.NotNull(outcome.Input("client.SigningAlgorithms"));
    }

    [Fact]
    public void Evaluate_311_WindowsServerUsesClientPreferenceOrder()
    {
        SigningOutcome outcome = Signed("win11-24h2-pro", "server2022", Dialect.Smb311,
            client: c => c with { SigningAlgorithms = [SigningAlgorithm.AesCmac, SigningAlgorithm.AesGmac] });

        Assert.Equal(SigningAlgorithm.AesCmac, outcome.Algorithm);
    }

    [Fact]
    public void Evaluate_311_SambaServerUsesItsOwnOrder()
    {
        SigningOutcome outcome = Signed("win11-24h2-pro", "samba", Dialect.Smb311,
            client: c => c with { SigningAlgorithms = [SigningAlgorithm.HmacSha256, SigningAlgorithm.AesCmac] });

        Assert.Equal(SigningAlgorithm.AesCmac, outcome.Algorithm);
    }

    [Fact]
    public void Evaluate_311_NoCommonAlgorithm_FallsBackToAesCmac()
    {
        SigningOutcome outcome = Signed("win11-24h2-pro", "samba", Dialect.Smb311,
            client: c => c with { SigningAlgorithms = [SigningAlgorithm.AesGmac] },
            server: s => s with { SigningAlgorithms = [SigningAlgorithm.HmacSha256] });

        Assert.Equal(SigningAlgorithm.AesCmac, outcome.Algorithm);
        Assert.Contains(outcome.Notes, n => n.Contains("AES-CMAC fallback", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new SigningAlgorithm[0], new[] { SigningAlgorithm.AesGmac }, AlgorithmSelection.ClientOrder, SigningAlgorithm.AesCmac)]
    [InlineData(new[] { SigningAlgorithm.AesGmac }, new SigningAlgorithm[0], AlgorithmSelection.ClientOrder, SigningAlgorithm.AesCmac)]
    [InlineData(new[] { SigningAlgorithm.HmacSha256, SigningAlgorithm.AesGmac }, new[] { SigningAlgorithm.AesGmac, SigningAlgorithm.HmacSha256 }, AlgorithmSelection.ClientOrder, SigningAlgorithm.HmacSha256)]
    [InlineData(new[] { SigningAlgorithm.HmacSha256, SigningAlgorithm.AesGmac }, new[] { SigningAlgorithm.AesGmac, SigningAlgorithm.HmacSha256 }, AlgorithmSelection.ServerOrder, SigningAlgorithm.AesGmac)]
    public void Negotiate311_Table(SigningAlgorithm[] client, SigningAlgorithm[] server, AlgorithmSelection selection, SigningAlgorithm expected)
    {
        (SigningAlgorithm algorithm, string reason) = SigningOutcomeEngine.Negotiate311(client, server, selection);

        Assert.Equal(expected, algorithm);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void Evaluate_NotSigned_HasNoAlgorithm()
    {
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new ClientPolicy(OsProfiles.Get("win10")), new ServerPolicy(OsProfiles.Get("server2022")), Dialect.Smb311);

        Assert.Equal(SigningResult.NotSigned, outcome.Result);
        Assert.Null(outcome.Algorithm);
    }

    [Fact]
    public void Evaluate_DialectFamilyOnly_SignedWithoutAlgorithm()
    {
        SigningOutcome outcome = Signed("win10", "server2022", Dialect.Smb2Wildcard);

        Assert.Equal(SigningResult.Signed, outcome.Result);
        Assert.Null(outcome.Algorithm);
        Assert.Contains(outcome.Notes, n => n.StartsWith("The algorithm depends on the dialect", StringComparison.Ordinal));
    }
}
