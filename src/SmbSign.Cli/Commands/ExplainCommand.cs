using System.CommandLine;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Catalog;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign explain [SETTING] [--all]</c>: what a setting does, where it lives in GPO / registry / Intune /
/// PowerShell / Samba / macOS, its defaults per OS and the CIS items that cover it. Without arguments, lists the catalog.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(CliServices services)
    {
        Argument<string?> setting = new("setting")
        {
            Description = "A setting id (client.RequireSecuritySignature), registry value name, GPO display name, PowerShell property, CSP node, Settings Catalog id or smb.conf parameter.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Option<bool> all = new("--all", "-a") { Description = "Explain every setting in the catalog." };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Command command = new("explain", "Explain an SMB signing or hardening setting: what it does, where it is configured, its defaults per OS and the CIS items that cover it. Exit codes: 0 ok, 2 unknown setting or bad usage.")
        {
            setting,
            all,
            format,
        };
        command.SetAction(parseResult =>
        {
            SettingsCatalog catalog = SettingsCatalog.Default;
            string? query = parseResult.GetValue(setting);
            bool everything = parseResult.GetValue(all);
            bool json = parseResult.GetValue(format) == OutputFormat.Json;
            if (everything && !string.IsNullOrWhiteSpace(query))
            {
                throw new CliException("give either a SETTING or --all, not both.");
            }

            if (!everything && string.IsNullOrWhiteSpace(query))
            {
                if (json)
                {
                    services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(ExplainRendering.ToIndex(catalog), ExplainJsonContext.Relaxed.ExplainIndexJson), services.Time));
                }
                else
                {
                    ExplainRendering.WriteIndex(services.Console, catalog);
                }

                return ExitCodes.Success;
            }

            IReadOnlyList<SettingDefinition> found = everything ? catalog.Settings : catalog.Find(query!);
            if (found.Count == 0)
            {
                throw new CliException($"unknown setting '{query}'.{catalog.DidYouMean(query!)} Run 'smbsign explain' to list every setting.");
            }

            if (json)
            {
                services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(ExplainRendering.ToJson(found), ExplainJsonContext.Relaxed.ExplainReportJson), services.Time));
            }
            else
            {
                foreach (SettingDefinition definition in found)
                {
                    ExplainRendering.WriteSetting(services.Console, definition);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
