using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Wire.Session;
using Spectre.Console;

namespace SmbSign.Cli.Rendering;

/// <summary>Human output of <c>smbsign verify</c>: a summary grid, the failures, and with --verbose one line per message.</summary>
internal static class VerifyTable
{
    /// <summary>"NTLMv2", or "Kerberos as PRINCIPAL, session key TYPE (N bytes; signing keys from the first 16)".</summary>
    public static string Authentication(VerificationReport report)
    {
        if (report.Authentication != "kerberos")
        {
            return "NTLMv2";
        }

        var text = new System.Text.StringBuilder("Kerberos");
        if (report.ClientPrincipal is { } principal)
        {
            text.Append(" as ").Append(principal);
        }

        if (report.KerberosSessionKeyLength > 0)
        {
            text.Append(", session key ").Append(report.KerberosSessionKeyType ?? "of unknown type")
                .Append(CultureInfo.InvariantCulture, $" ({report.KerberosSessionKeyLength} bytes; signing keys from the first 16)");
        }

        return text.ToString();
    }

    public static void Write(IAnsiConsole console, VerificationReport report, bool verbose)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        Row(grid, "Target", report.Target);
        Row(grid, "Dialect", report.Dialect?.ToDisplayString() ?? "-");
        Row(grid, "Signing algorithm", report.SigningAlgorithm?.ToDisplayString() ?? "-");
        Row(grid, "Authentication", Authentication(report));
        Row(grid, "Server requires signing", YesNo(report.ServerRequiresSigning));
        Row(grid, "Client requires signing", YesNo(report.ClientRequiresSigning));
        Row(grid, "Session flags", report.SessionFlagNames.Count == 0 ? "none" : string.Join(", ", report.SessionFlagNames));
        Row(grid, "Messages", string.Create(CultureInfo.InvariantCulture,
            $"{report.Messages.Count} exchanged, {report.SignedCount} signed, {report.VerifiedCount} responses verified, {report.Failures.Count} failed"));
        foreach (string operation in report.Operations)
        {
            Row(grid, "Operation", operation);
        }

        foreach (EnforcementProbe probe in report.Probes ?? [])
        {
            Row(grid, probe.Kind == EnforcementProbeKind.Unsigned ? "Probe: unsigned" : "Probe: bad signature",
                (probe.Rejected ? "rejected: " : probe.Outcome == ProbeOutcome.NotRun ? "not run: " : "ACCEPTED: ") + probe.Detail);
        }

        if (report.ProbeSkipReason is { } skipped)
        {
            Row(grid, "Probes", "not run: " + skipped);
        }

        console.Write(grid);
        console.WriteLine();

        if (verbose && report.Messages.Count > 0)
        {
            var table = new Table().AddColumn("#").AddColumn("Dir").AddColumn("Command").AddColumn("MessageId").AddColumn("Status")
                .AddColumn("Signed").AddColumn("Verified").AddColumn("Note");
            int index = 0;
            foreach (MessageRecord m in report.Messages)
            {
                table.AddRow(
                    (++index).ToString(CultureInfo.InvariantCulture),
                    m.Direction == MessageDirection.Request ? "->" : "<-",
                    Markup.Escape(m.Command),
                    m.MessageId.ToString(CultureInfo.InvariantCulture),
                    m.Direction == MessageDirection.Response ? VerifyJson.Status(m.Status) : string.Empty,
                    m.Signed ? "yes" : (m.MustBeSigned ? "[red]no[/]" : "no"),
                    m.Verified switch { true => "[green]ok[/]", false => "[red]FAILED[/]", null => "-" },
                    Markup.Escape(m.Note ?? string.Empty));
            }

            console.Write(table);
        }

        foreach (VerificationFailure failure in report.Failures)
        {
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[red]FAILED[/] {Markup.Escape(failure.Command)} {VerifyJson.Direction(failure.Direction)} MessageId {failure.MessageId}: {Markup.Escape(failure.Reason)}"));
        }

        if (report.Error is not null)
        {
            console.MarkupLine($"[red]ERROR[/] ({VerifyJson.ErrorKindName(report.Error.Kind)}) {Markup.Escape(report.Error.Message)}");
        }

        string verdict = report.EnforcementVerdict switch
        {
            EnforcementVerdict.Enforced => "[green]ENFORCED[/]",
            EnforcementVerdict.Untested => "[yellow]UNTESTED[/]",
            _ => "[red]NOT ENFORCED[/]",
        };
        console.MarkupLine($"{verdict}: {Markup.Escape(report.Reason)}");
    }

    private static void Row(Grid grid, string name, string value) => grid.AddRow(new Text(name), new Text(value));

    private static string YesNo(bool value) => value ? "yes" : "no";
}
