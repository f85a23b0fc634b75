using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Policy.Tests.Outcome;

// Source: docs/reference/policy.md §5 and docs/reference/protocol.md §§11-12 (Microsoft "Overview of Server Message Block signing";
// MS-SMB 3.2.4.2.4; Samba smb_signing_set_negotiated).
public sealed class OutcomeTablesTests
{
    public static TheoryData<string, bool, bool, SigningResult> Smb2Cells()
    {
        var data = new TheoryData<string, bool, bool, SigningResult>();
        foreach (string dialect in new[] { "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1" })
        {
            data.Add(dialect, true, true, SigningResult.Signed);
            data.Add(dialect, true, false, SigningResult.Signed);
            data.Add(dialect, false, true, SigningResult.Signed);
            data.Add(dialect, false, false, SigningResult.NotSigned);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Smb2Cells))]
    public void Evaluate_Smb2Table_EveryCellEveryDialect(string dialectText, bool clientRequire, bool serverRequire, SigningResult expected)
    {
        Assert.True(DialectInfo.TryParse(dialectText, out Dialect dialect));

        // EnableSecuritySignature is set against the grain to prove it is ignored for SMB 2/3.
        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(
            new ClientPolicy(OsProfiles.Get("win10")).With("client.RequireSecuritySignature", clientRequire).With("client.EnableSecuritySignature", !clientRequire),
            new ServerPolicy(OsProfiles.Get("server2022")).With("server.RequireSecuritySignature", serverRequire).With("server.EnableSecuritySignature", !serverRequire),
            dialect);

        Assert.Equal(expected, outcome.Result);
        Assert.Contains(SigningOutcomeEngine.EnableIgnoredNote, outcome.Notes);
        Assert.DoesNotContain(outcome.DecidedBy, d => d.Contains("Enable", StringComparison.Ordinal));
        if (expected == SigningResult.NotSigned)
        {
            Assert.Equal(["client.RequireSecuritySignature", "server.RequireSecuritySignature"], outcome.DecidedBy.ToArray());
            Assert.Null(outcome.Algorithm);
            Assert.Contains(SigningOutcomeEngine.RequireHint, outcome.Notes);
        }
        else
        {
            var expectedRefs = new List<string>();
            if (clientRequire)
            {
                expectedRefs.Add("client.RequireSecuritySignature");
            }

            if (serverRequire)
            {
                expectedRefs.Add("server.RequireSecuritySignature");
            }

            Assert.Equal(expectedRefs, outcome.DecidedBy.ToArray());
            Assert.NotNull(outcome.Algorithm);
        }
    }

    // Client rows x server columns (Require=1 / Enable=1 / Enable=0), exactly as issue 2 states them.
    [Theory]
    [InlineData("Require=1", "Require=1", SigningResult.Signed)]
    [InlineData("Require=1", "Enable=1", SigningResult.Signed)]
    [InlineData("Require=1", "Enable=0", SigningResult.Signed)]
    [InlineData("Enable=1", "Require=1", SigningResult.Signed)]
    [InlineData("Enable=1", "Enable=1", SigningResult.Signed)]
    [InlineData("Enable=1", "Enable=0", SigningResult.NotSigned)]
    [InlineData("Enable=0", "Require=1", SigningResult.Signed)]
    [InlineData("Enable=0", "Enable=1", SigningResult.NotSigned)]
    [InlineData("Enable=0", "Enable=0", SigningResult.NotSigned)]
    public void Evaluate_Smb1WindowsTable_EveryCell(string client, string server, SigningResult expected)
    {
        (bool clientRequire, bool clientEnable) = Parse(client);
        (bool serverRequire, bool serverEnable) = Parse(server);
        ClientPolicy clientPolicy = new ClientPolicy(OsProfiles.Get("win10"))
            .With("client.RequireSecuritySignature", clientRequire)
            .With("client.EnableSecuritySignature", clientEnable);
        ServerPolicy serverPolicy = new ServerPolicy(OsProfiles.Get("server2016"))
            .With("server.RequireSecuritySignature", serverRequire)
            .With("server.EnableSecuritySignature", serverEnable);

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(clientPolicy, serverPolicy, Dialect.Smb1);

        Assert.Equal(expected, outcome.Result);
        Assert.Equal(expected == SigningResult.Signed ? SigningAlgorithm.Md5Smb1 : null, outcome.Algorithm);
        Assert.NotEmpty(outcome.DecidedBy);
        Assert.DoesNotContain(SigningOutcomeEngine.EnableIgnoredNote, outcome.Notes);

        static (bool Require, bool Enable) Parse(string cell) => cell switch
        {
            "Require=1" => (true, true),
            "Enable=1" => (false, true),
            _ => (false, false),
        };
    }

    [Theory]
    [InlineData(Smb1SigningState.Disabled, Smb1SigningState.Disabled, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Disabled, Smb1SigningState.Declined, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Disabled, Smb1SigningState.Enabled, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Disabled, Smb1SigningState.Required, SigningResult.Fails)]
    [InlineData(Smb1SigningState.Declined, Smb1SigningState.Disabled, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Declined, Smb1SigningState.Declined, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Declined, Smb1SigningState.Enabled, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Declined, Smb1SigningState.Required, SigningResult.Signed)]
    [InlineData(Smb1SigningState.Enabled, Smb1SigningState.Disabled, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Enabled, Smb1SigningState.Declined, SigningResult.NotSigned)]
    [InlineData(Smb1SigningState.Enabled, Smb1SigningState.Enabled, SigningResult.Signed)]
    [InlineData(Smb1SigningState.Enabled, Smb1SigningState.Required, SigningResult.Signed)]
    [InlineData(Smb1SigningState.Required, Smb1SigningState.Disabled, SigningResult.Fails)]
    [InlineData(Smb1SigningState.Required, Smb1SigningState.Declined, SigningResult.Signed)]
    [InlineData(Smb1SigningState.Required, Smb1SigningState.Enabled, SigningResult.Signed)]
    [InlineData(Smb1SigningState.Required, Smb1SigningState.Required, SigningResult.Signed)]
    public void Smb1States_EveryCell_MatchesMsSmbTable(Smb1SigningState client, Smb1SigningState server, SigningResult expected)
    {
        OutcomeTable table = OutcomeMatrix.Smb1States();
        int row = (int)client;
        int column = (int)server;

        SigningOutcome outcome = table.Rows[row].Cells[column];

        Assert.Equal(expected, outcome.Result);
        Assert.Equal(client, outcome.ClientSmb1State);
        Assert.Equal(server, outcome.ServerSmb1State);
        if (expected == SigningResult.Fails)
        {
            Assert.NotNull(outcome.FailureReason);
            Assert.Contains(outcome.DecidedBy, d => d.StartsWith("smb.conf:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Smb1_ClientRequiresAgainstSambaServerSigningDisabled_Fails()
    {
        ClientPolicy client = new ClientPolicy(OsProfiles.Get("win10")).With("client.RequireSecuritySignature", true);
        ServerPolicy server = new(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Disabled };

        SigningOutcome outcome = SigningOutcomeEngine.Evaluate(client, server, Dialect.Smb1);

        Assert.Equal(SigningResult.Fails, outcome.Result);
        Assert.Equal(["client.RequireSecuritySignature", "smb.conf:server signing"], outcome.DecidedBy.ToArray());
        Assert.Contains("SMB1 signing disabled", outcome.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Smb2Table_Matrix_ProducesTwoByTwo()
    {
        OutcomeTable table = OutcomeMatrix.Smb2(Dialect.Smb210);

        SigningResult[][] results = [.. table.Rows.Select(r => r.Cells.Select(c => c.Result).ToArray())];

        Assert.Equal([SigningResult.Signed, SigningResult.Signed], results[0]);
        Assert.Equal([SigningResult.Signed, SigningResult.NotSigned], results[1]);
        Assert.All(table.Rows.SelectMany(r => r.Cells), c => Assert.Equal(Dialect.Smb210, c.Dialect));
    }

    [Fact]
    public void Smb1WindowsTable_Matrix_MatchesIssueTable()
    {
        OutcomeTable table = OutcomeMatrix.Smb1Windows();

        string[] rows = [.. table.Rows.Select(r => string.Join(",", r.Cells.Select(c => c.Result.ToDisplayString())))];

        Assert.Equal(["signed,signed,signed", "signed,signed,not-signed", "signed,not-signed,not-signed"], rows);
    }
}
