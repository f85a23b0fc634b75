using System.CommandLine;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign matrix [--smb1|--smb2]</c>: the published signing outcome tables, each cell computed by the outcome engine.
/// </summary>
internal static class MatrixCommand
{
    public static Command Create(CliServices services)
    {
        Option<bool> smb1 = new("--smb1") { Description = "Only the SMB1 tables (Windows settings, and the four SMB1 signing states)." };
        Option<bool> smb2 = new("--smb2") { Description = "Only the SMB 2/3 table." };
        Option<string?> dialect = new("--dialect", "-d") { Description = "Dialect of the SMB 2/3 table: 2.0.2, 2.1, 3.0, 3.0.2 or 3.1.1 (default 3.1.1)." };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Command command = new("matrix", "Show the SMB signing outcome tables (client settings × server settings), computed by the outcome engine. Exit codes: 0 ok, 2 bad usage.")
        {
            smb1,
            smb2,
            dialect,
            format,
        };
        command.SetAction(parseResult =>
        {
            bool onlySmb1 = parseResult.GetValue(smb1);
            bool onlySmb2 = parseResult.GetValue(smb2);
            if (onlySmb1 && onlySmb2)
            {
                throw new CliException("--smb1 and --smb2 exclude each other; give neither to see every table.");
            }

            Dialect smb2Dialect = Dialect.Smb311;
            string? dialectText = parseResult.GetValue(dialect);
            if (dialectText is not null)
            {
                if (onlySmb1)
                {
                    throw new CliException("--dialect applies to the SMB 2/3 table; it cannot be combined with --smb1.");
                }

                if (!DialectInfo.TryParse(dialectText, out smb2Dialect) || !smb2Dialect.IsSmb2Family() || smb2Dialect == Dialect.Smb2Wildcard)
                {
                    throw new CliException($"--dialect: '{dialectText}' is not an SMB 2/3 dialect; expected 2.0.2, 2.1, 3.0, 3.0.2 or 3.1.1.");
                }
            }

            var tables = new List<OutcomeTable>();
            if (!onlySmb1)
            {
                tables.Add(OutcomeMatrix.Smb2(smb2Dialect));
            }

            if (!onlySmb2)
            {
                tables.Add(OutcomeMatrix.Smb1Windows());
                tables.Add(OutcomeMatrix.Smb1States());
            }

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(MatrixRendering.ToJson(tables), MatrixJsonContext.Relaxed.MatrixReportJson), services.Time));
            }
            else
            {
                MatrixRendering.Write(services.Console, tables);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
