using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol.Crypto;

namespace SmbSign.Cli.Commands;

/// <summary><c>smbsign version</c>: the tool's version and runtime, for bug reports.</summary>
internal static class VersionCommand
{
    public static Command Create(CliServices services)
    {
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Command command = new("version", "Print SmbSign's version, runtime and OS.") { format };
        command.SetAction(parseResult => Print(services, parseResult.GetValue(format)));
        return command;
    }

    /// <summary>The root's <c>--version</c>: the same text as <c>smbsign version</c>.</summary>
    internal sealed class PrintAction(CliServices services) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) => Print(services, OutputFormat.Table);
    }

    private static int Print(CliServices services, OutputFormat format)
    {
        VersionInfo info = Current();
        if (format == OutputFormat.Json)
        {
            services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(info, VersionJsonContext.Default.VersionInfo), services.Time));
        }
        else
        {
            services.Out.WriteLine($"smbsign {info.Version}");
            services.Out.WriteLine($"commit   {info.Commit ?? "unknown"}");
            services.Out.WriteLine($"runtime  {info.Runtime}{(info.NativeAot ? " (native AOT)" : string.Empty)}");
            services.Out.WriteLine($"os       {info.Os} ({info.Architecture})");
            services.Out.WriteLine($"crypto   AES-NI {(info.AesNi ? "in use" : "not available")}, PCLMULQDQ {(info.Pclmulqdq ? "in use" : "not available")}");
        }

        return ExitCodes.Success;
    }

    /// <summary>The running build: version and commit from the informational version ("0.1.0+COMMIT"), runtime, crypto paths.</summary>
    public static VersionInfo Current()
    {
        string informational = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return new VersionInfo(
            plus < 0 ? informational : informational[..plus],
            plus < 0 ? null : informational[(plus + 1)..],
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
            CryptoAcceleration.AesNi,
            CryptoAcceleration.Pclmulqdq);
    }
}

/// <summary><c>smbsign version --format json</c>: documented in docs/cli/version.md.</summary>
internal sealed record VersionInfo(string Version, string? Commit, string Runtime, bool NativeAot, string Os, string Architecture, bool AesNi, bool Pclmulqdq);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(VersionInfo))]
internal sealed partial class VersionJsonContext : JsonSerializerContext;
