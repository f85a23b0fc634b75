using System.Collections.Immutable;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Protocol;

namespace SmbSign.Policy.Outcome;

/// <summary>One row of an <see cref="OutcomeTable"/>: the client configuration and the outcome against each server column.</summary>
public sealed record OutcomeTableRow(string Label, ImmutableArray<SigningOutcome> Cells);

/// <summary>A published outcome table recomputed by the engine (client rows × server columns).</summary>
/// <param name="Id">"smb2", "smb1", "smb1-states".</param>
public sealed record OutcomeTable(
    string Id,
    string Title,
    string RowHeader,
    string ColumnHeader,
    ImmutableArray<string> Columns,
    ImmutableArray<OutcomeTableRow> Rows,
    ImmutableArray<string> Notes);

/// <summary>
/// The outcome tables of docs/reference/policy.md §5, produced by running <see cref="SigningOutcomeEngine"/> on each cell
/// (never hard-coded), for <c>smbsign matrix</c> and for tests.
/// </summary>
public static class OutcomeMatrix
{
    /// <summary>SMB 2/3: client RequireSecuritySignature (rows) × server RequireSecuritySignature (columns).</summary>
    public static OutcomeTable Smb2(Dialect dialect = Dialect.Smb311)
    {
        if (!dialect.IsSmb2Family())
        {
            throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "Expected an SMB 2/3 dialect.");
        }

        (string Label, bool Require)[] sides = [("Require=1", true), ("Require=0", false)];
        ImmutableArray<OutcomeTableRow> rows =
        [
            .. sides.Select(c => new OutcomeTableRow(
                c.Label,
                [.. sides.Select(s => SigningOutcomeEngine.Evaluate(
                    WindowsClient().With("client.RequireSecuritySignature", c.Require),
                    WindowsServer().With("server.RequireSecuritySignature", s.Require),
                    dialect))])),
        ];
        return new OutcomeTable(
            "smb2",
            $"SMB 2 / SMB 3 (dialect {dialect.ToDisplayString()}): only the two RequireSecuritySignature values count",
            "Client RequireSecuritySignature",
            "Server RequireSecuritySignature",
            [.. sides.Select(s => s.Label)],
            rows,
            [
                SigningOutcomeEngine.EnableIgnoredNote,
                "Guest and anonymous sessions are never signed; a client that requires signing refuses them.",
                "3.1.1 signs the final SESSION_SETUP response and TREE_CONNECT even in the not-signed cell.",
                "Hardened UNC Paths make the client require signing for \\\\*\\SYSVOL and \\\\*\\NETLOGON regardless.",
            ]);
    }

    /// <summary>SMB1 with Windows settings: client rows × server columns, each Require=1 / Enable=1 / Enable=0.</summary>
    public static OutcomeTable Smb1Windows()
    {
        (string Label, bool Require, bool Enable)[] sides =
        [
            ("Require=1", true, true),
            ("Enable=1", false, true),
            ("Enable=0", false, false),
        ];
        ImmutableArray<OutcomeTableRow> rows =
        [
            .. sides.Select(c => new OutcomeTableRow(
                c.Label,
                [.. sides.Select(s => SigningOutcomeEngine.Evaluate(
                    Smb1Client(WindowsClient().With("client.RequireSecuritySignature", c.Require).With("client.EnableSecuritySignature", c.Enable)),
                    Smb1Server(WindowsServer().With("server.RequireSecuritySignature", s.Require).With("server.EnableSecuritySignature", s.Enable)),
                    Dialect.Smb1))])),
        ];
        return new OutcomeTable(
            "smb1",
            "SMB1: the \"if client / server agrees\" settings count",
            "Client RequireSecuritySignature / EnableSecuritySignature",
            "Server RequireSecuritySignature / EnableSecuritySignature",
            [.. sides.Select(s => s.Label)],
            rows,
            ["Enable=1 and Enable=0 rows and columns have Require=0; Require=1 implies Enable=1.", "Both sides merely enabled is enough to sign in SMB1 (unlike SMB 2/3)."]);
    }

    /// <summary>SMB1 policy states ([MS-SMB] 3.2.4.2.4): Disabled / Declined / Enabled / Required on both sides; Disabled is Samba's <c>signing = disabled</c>.</summary>
    public static OutcomeTable Smb1States()
    {
        Smb1SigningState[] states = [Smb1SigningState.Disabled, Smb1SigningState.Declined, Smb1SigningState.Enabled, Smb1SigningState.Required];
        ImmutableArray<OutcomeTableRow> rows =
        [
            .. states.Select(c => new OutcomeTableRow(
                c.ToString(),
                [.. states.Select(s => SigningOutcomeEngine.Evaluate(ClientIn(c), ServerIn(s), Dialect.Smb1))])),
        ];
        return new OutcomeTable(
            "smb1-states",
            "SMB1 signing states (MS-SMB 3.2.4.2.4, Samba smb_signing_set_negotiated)",
            "Client state",
            "Server state",
            [.. states.Select(s => s.ToString())],
            rows,
            [
                "Windows: Require = 1 → Required; Require = 0 & Enable = 1 → Enabled; both 0 → Declined. Disabled exists only as Samba 'client signing' / 'server signing' = disabled.",
                "A client sees only the server's SMB1 SecurityMode bits, so server Disabled and Declined look alike on the wire.",
            ]);
    }

    /// <summary>Every table: SMB 2/3 (3.1.1), SMB1 (Windows settings), SMB1 (states).</summary>
    public static IReadOnlyList<OutcomeTable> All() => [Smb2(), Smb1Windows(), Smb1States()];

    private static ClientPolicy ClientIn(Smb1SigningState state) => state switch
    {
        Smb1SigningState.Disabled => new ClientPolicy(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Disabled },
        Smb1SigningState.Declined => Smb1Client(WindowsClient().With("client.RequireSecuritySignature", false).With("client.EnableSecuritySignature", false)),
        Smb1SigningState.Enabled => Smb1Client(WindowsClient().With("client.RequireSecuritySignature", false).With("client.EnableSecuritySignature", true)),
        _ => Smb1Client(WindowsClient().With("client.RequireSecuritySignature", true).With("client.EnableSecuritySignature", true)),
    };

    private static ServerPolicy ServerIn(Smb1SigningState state) => state switch
    {
        Smb1SigningState.Disabled => new ServerPolicy(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Disabled },
        Smb1SigningState.Declined => Smb1Server(WindowsServer().With("server.RequireSecuritySignature", false).With("server.EnableSecuritySignature", false)),
        Smb1SigningState.Enabled => Smb1Server(WindowsServer().With("server.RequireSecuritySignature", false).With("server.EnableSecuritySignature", true)),
        _ => Smb1Server(WindowsServer().With("server.RequireSecuritySignature", true).With("server.EnableSecuritySignature", true)),
    };

    // Explicit values make the tables independent of OS defaults; the profiles only supply 3.1.1 algorithm lists.
    private static ClientPolicy WindowsClient() => new(OsProfiles.Get("win11-23h2"));

    private static ServerPolicy WindowsServer() => new(OsProfiles.Get("server2022"));

    private static ClientPolicy Smb1Client(ClientPolicy policy) => policy.With("client.Smb1Driver", SettingValue.FromNumber(3));

    private static ServerPolicy Smb1Server(ServerPolicy policy) => policy.With("server.SMB1", true);
}
