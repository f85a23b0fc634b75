using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Policy.Sources;
using SmbSign.Protocol;
using SmbSign.Wire.Scanning;

namespace SmbSign.Cli.Commands;

/// <summary>Joins a probed server posture with a client policy through the outcome engine (the CLI is the only
/// place where Wire and Policy meet). The server side is taken from what it advertised on the wire.</summary>
internal sealed class ScanClientOutcome
{
    private readonly ClientPolicy _client;

    private ScanClientOutcome(ClientPolicy client)
    {
        _client = client;
    }

    /// <summary>From <c>--client-os ID</c> (OS defaults only) or <c>--client-config FILE</c> (configured client values; OS from <c>--client-os</c> or Windows 11 24H2 Enterprise).</summary>
    public static ScanClientOutcome? Create(string? clientOs, FileInfo? clientConfig)
    {
        if (clientOs is null && clientConfig is null)
        {
            return null;
        }

        string osId = clientOs ?? "win11-24h2-enterprise";
        if (!OsProfiles.TryGet(osId, out OsProfile? os))
        {
            throw new CliException($"--client-os: unknown OS id '{osId}'; see 'smbsign evaluate --list-os'.");
        }

        var client = new ClientPolicy(os);
        if (clientConfig is not null)
        {
            SourceReadResult result = SourceDetector.ReadFile(clientConfig.FullName);
            foreach (SourceDiagnostic diagnostic in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                throw new CliException($"--client-config: {diagnostic}");
            }

            foreach (Observation observation in result.Observations)
            {
                // A Samba client (smb.conf): 'client signing' is its signing policy; the outcome engine applies Samba's
                // own rules to it (Samba and Windows differ for SMB1).
                if (observation.Native is { Scheme: NativeSchemes.SmbConf, Name: "client signing" } native
                    && (native.Section is null || native.Section.Equals("global", StringComparison.OrdinalIgnoreCase))
                    && observation.NativeValue is { } sambaValue)
                {
                    if (!SambaSigningModeInfo.TryParse(sambaValue.Normalized, out SambaSigningMode mode) && !SambaSigningModeInfo.TryParse(sambaValue.Text, out mode))
                    {
                        throw new CliException($"--client-config: {observation.Location}: 'client signing = {sambaValue.Text}' is not a Samba signing value (disabled, if_required, desired, required, default).");
                    }

                    client = client with { SambaSigning = mode };
                    continue;
                }

                if (observation.Kind != ObservationKind.Value || observation.Registry is not { } identity
                    || observation.Value is not { } value || !value.TryGetNumber(out long number))
                {
                    continue;
                }

                if (SettingsCatalog.Default.FindByRegistry(identity.KeyPath, identity.ValueName) is { Setting.Side: SettingSide.Client } match)
                {
                    try
                    {
                        client = client.With(match.Setting.Id, SettingValue.FromNumber(number));
                    }
                    catch (ArgumentException e)
                    {
                        throw new CliException($"--client-config: {observation.Location}: {e.Message}");
                    }
                }
            }
        }

        return new ScanClientOutcome(client);
    }

    /// <summary>"signed", "not-signed" or "fails" for a user session; null when the server's SMB2 posture is unknown.</summary>
    public string? Evaluate(ServerPosture posture)
    {
        ArgumentNullException.ThrowIfNull(posture);
        if (posture.Smb2.Enabled == true && posture.Smb2.Dialect is { } dialect && posture.Smb2.Signing is { } signing)
        {
            ServerPolicy server = new ServerPolicy(OsProfiles.Get("samba"))
                .With("server.RequireSecuritySignature", signing == Smb2SigningState.Required);
            return Render(SigningOutcomeEngine.Evaluate(_client, server, dialect));
        }

        if (posture.Smb1.Enabled == true && posture.Smb1.Signing is { } smb1)
        {
            // No signing bit on the wire is Samba's 'server signing = disabled' or a Windows server with both values 0;
            // the scan cannot tell them apart and takes the one that fails more clients (a Windows client that requires
            // signing disconnects from Samba 'disabled'), as fix's impact analysis does.
            ServerPolicy server = smb1 == SmbSign.Protocol.Smb1.Smb1SigningState.Disabled
                ? new ServerPolicy(OsProfiles.Get("samba")) { SambaSigning = SambaSigningMode.Disabled }
                : new ServerPolicy(OsProfiles.Get("samba"))
                    .With("server.RequireSecuritySignature", smb1 == SmbSign.Protocol.Smb1.Smb1SigningState.Required)
                    .With("server.EnableSecuritySignature", true);
            return Render(SigningOutcomeEngine.Evaluate(_client, server, Dialect.Smb1));
        }

        return null;
    }

    private static string Render(SigningOutcome outcome) => outcome.Result switch
    {
        SigningResult.Signed => "signed",
        SigningResult.NotSigned => "not-signed",
        _ => "fails",
    };
}
