using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign version</c>: the tool's version and runtime, for bug reports.</summary>
internal static class VersionCommand
{
    public static Command Create(CliServices services)
    {
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Command command = new("version", "Print SmbSign's version, runtime and OS.") { format };
        command.SetAction(parseResult =>
        {
            var info = new VersionInfo(
                typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
                System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                System.Runtime.InteropServices.RuntimeInformation.OSDescription);
            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(info, VersionJsonContext.Default.VersionInfo), services.Time));
            }
            else
            {
                services.Out.WriteLine($"smbsign {info.Version} ({info.Runtime}, {info.Os})");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

internal sealed record VersionInfo(string Version, string Runtime, string Os);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VersionInfo))]
internal sealed partial class VersionJsonContext : JsonSerializerContext;
