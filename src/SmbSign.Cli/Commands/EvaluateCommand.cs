using System.CommandLine;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Outcome;
using SmbSign.Protocol;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign evaluate --client K=V[,K=V…] --server K=V[,K=V…] [--dialect D] [--client-os ID] [--server-os ID]
/// [--server-role dc] [--session user|guest|anonymous] [--path UNC] [--list-os]</c>: will the session be signed,
/// with what, and which setting decided it.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliServices services)
    {
        Option<string[]> client = new("--client", "-c")
        {
            Description = "Client settings as KEY=VALUE[,KEY=VALUE...]: registry value names (RequireSecuritySignature, EnableSecuritySignature, AllowInsecureGuestAuth, ...), "
                + "the aliases require / enable, setting ids, PowerShell properties, or smb.conf parameters ('client signing', 'client smb3 signing algorithms'). Values: 0/1/true/false/enabled/disabled, dialects, numbers. Repeatable.",
            HelpName = "K=V[,K=V...]",
        };
        Option<string[]> server = new("--server", "-s")
        {
            Description = "Server settings, as for --client ('server signing=mandatory' for a Samba server).",
            HelpName = "K=V[,K=V...]",
        };
        Option<string?> dialect = new("--dialect", "-d") { Description = "2.0.2, 2.1, 3.0, 3.0.2, 3.1.1 or smb1 (default 3.1.1).", HelpName = "DIALECT" };
        Option<string?> clientOs = new("--client-os") { Description = $"Client OS profile whose defaults fill unconfigured values (default {OsProfiles.DefaultClientId}); see --list-os.", HelpName = "ID" };
        Option<string?> serverOs = new("--server-os") { Description = $"Server OS profile (default {OsProfiles.DefaultServerId}); see --list-os.", HelpName = "ID" };
        Option<string?> serverRole = new("--server-role") { Description = "dc for a domain controller (Default Domain Controllers Policy requires signing), member otherwise.", HelpName = "dc|member" };
        Option<string?> session = new("--session") { Description = "user (default), guest or anonymous.", HelpName = "user|guest|anonymous" };
        Option<string?> path = new("--path") { Description = "The share path (\\\\server\\share) for Hardened UNC Paths, e.g. \\\\dc1\\SYSVOL.", HelpName = "UNC" };
        Option<bool> listOs = new("--list-os") { Description = "List the OS profile ids and exit." };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);
        Command command = new("evaluate", "Evaluate whether an SMB session between a client and a server is signed, with which algorithm, and which settings decided it. Exit codes: 0 evaluated (whatever the outcome), 2 bad input.")
        {
            client,
            server,
            dialect,
            clientOs,
            serverOs,
            serverRole,
            session,
            path,
            listOs,
            format,
        };
        command.SetAction(parseResult =>
        {
            bool json = parseResult.GetValue(format) == OutputFormat.Json;
            if (parseResult.GetValue(listOs))
            {
                if (json)
                {
                    services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(EvaluateRendering.ToJson(OsProfiles.All), EvaluateJsonContext.Relaxed.EvaluateOsListJson), services.Time));
                }
                else
                {
                    EvaluateRendering.WriteOsList(services.Console, OsProfiles.All);
                }

                return ExitCodes.Success;
            }

            SettingsCatalog catalog = SettingsCatalog.Default;
            OsProfile clientProfile = Profile(parseResult.GetValue(clientOs), OsProfiles.DefaultClient, "--client-os");
            OsProfile serverProfile = Profile(parseResult.GetValue(serverOs), OsProfiles.DefaultServer, "--server-os");
            serverProfile = ApplyRole(serverProfile, parseResult.GetValue(serverRole));
            Dialect evaluatedDialect = ParseDialect(parseResult.GetValue(dialect));
            SessionKind sessionKind = ParseSession(parseResult.GetValue(session));
            string? uncPath = parseResult.GetValue(path);
            if (uncPath is not null && !HardenedPathRule.TrySplit(uncPath, out _, out _))
            {
                throw new CliException($"--path: '{uncPath}' is not a UNC path such as \\\\server\\share.");
            }

            ClientPolicy clientPolicy = EvaluateSettingsParser.ApplyClient(new ClientPolicy(clientProfile), parseResult.GetValue(client) ?? [], catalog);
            ServerPolicy serverPolicy = EvaluateSettingsParser.ApplyServer(new ServerPolicy(serverProfile), parseResult.GetValue(server) ?? [], catalog);
            SigningOutcome outcome = SigningOutcomeEngine.Evaluate(new OutcomeRequest(clientPolicy, serverPolicy, evaluatedDialect, sessionKind, uncPath), catalog);

            if (json)
            {
                services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(EvaluateRendering.ToJson(outcome, clientPolicy.Os, serverPolicy.Os), EvaluateJsonContext.Relaxed.EvaluateResultJson), services.Time));
            }
            else
            {
                EvaluateRendering.Write(services.Console, outcome, clientPolicy.Os, serverPolicy.Os);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static OsProfile Profile(string? id, OsProfile fallback, string option)
    {
        if (id is null)
        {
            return fallback;
        }

        return OsProfiles.TryGet(id, out OsProfile? profile)
            ? profile
            : throw new CliException($"{option}: unknown OS profile '{id}'. Known: {string.Join(", ", OsProfiles.Ids)} (smbsign evaluate --list-os).");
    }

    private static OsProfile ApplyRole(OsProfile profile, string? role)
    {
        switch (role?.Trim().ToUpperInvariant())
        {
            case null:
                return profile;
            case "DC" or "DOMAIN-CONTROLLER" or "DOMAINCONTROLLER":
                if (!profile.CanBeDomainController)
                {
                    throw new CliException($"--server-role dc: {profile.Id} ({profile.DisplayName}) cannot be a domain controller; pick a Windows Server or Samba --server-os.");
                }

                return profile.WithRole(OsRole.DomainController);
            case "MEMBER" or "MEMBER-SERVER" or "STANDALONE":
                return profile.Family == OsFamily.WindowsClient ? profile : profile.WithRole(OsRole.MemberServer);
            default:
                throw new CliException($"--server-role: '{role}' is not a role; expected dc or member.");
        }
    }

    private static Dialect ParseDialect(string? text)
    {
        if (text is null)
        {
            return Dialect.Smb311;
        }

        if (DialectInfo.TryParse(text, out Dialect dialect) && dialect != Dialect.Smb2Wildcard)
        {
            return dialect;
        }

        throw new CliException($"--dialect: '{text}' is not a dialect; expected 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1 or smb1.");
    }

    private static SessionKind ParseSession(string? text)
    {
        if (text is null)
        {
            return SessionKind.User;
        }

        return OutcomeText.TryParseSession(text, out SessionKind kind)
            ? kind
            : throw new CliException($"--session: '{text}' is not a session kind; expected user, guest or anonymous.");
    }
}

/// <summary>Turns <c>--client</c> / <c>--server</c> KEY=VALUE lists into policies, with a precise message for every mistake.</summary>
internal static class EvaluateSettingsParser
{
    public static ClientPolicy ApplyClient(ClientPolicy policy, IEnumerable<string> arguments, SettingsCatalog catalog)
    {
        foreach ((string key, string value) in Pairs(arguments, "--client"))
        {
            policy = Apply(policy, key, value, "--client", catalog, (p, id, v) => p.With(id, v, catalog));
        }

        return policy;
    }

    public static ServerPolicy ApplyServer(ServerPolicy policy, IEnumerable<string> arguments, SettingsCatalog catalog)
    {
        foreach ((string key, string value) in Pairs(arguments, "--server"))
        {
            policy = Apply(policy, key, value, "--server", catalog, (p, id, v) => p.With(id, v, catalog));
        }

        return policy;
    }

    /// <summary>
    /// Splits "a=1,b=2" into pairs. A comma-separated piece without '=' continues the previous value, so lists work:
    /// <c>server smb3 signing algorithms=AES-128-CMAC,HMAC-SHA256</c>.
    /// </summary>
    internal static IEnumerable<(string Key, string Value)> Pairs(IEnumerable<string> arguments, string option)
    {
        foreach (string argument in arguments)
        {
            var pairs = new List<(string Key, string Value)>();
            foreach (string piece in argument.Split(','))
            {
                int eq = piece.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    if (pairs.Count == 0 || piece.Trim().Length == 0)
                    {
                        throw new CliException($"{option}: '{argument}' is not KEY=VALUE[,KEY=VALUE...] (e.g. {option} require=1,enable=1).");
                    }

                    (string k, string v) = pairs[^1];
                    pairs[^1] = (k, v + "," + piece);
                    continue;
                }

                string key = piece[..eq].Trim();

                // Hardened UNC Paths values contain '=' and ',' themselves: "SYSVOL hardening=RequireMutualAuthentication=1,RequireIntegrity=1".
                if (pairs.Count > 0 && IsHardenedFlag(key) && pairs[^1].Value.Contains('=', StringComparison.Ordinal))
                {
                    (string k, string v) = pairs[^1];
                    pairs[^1] = (k, v + "," + piece);
                    continue;
                }

                if (key.Length == 0)
                {
                    throw new CliException($"{option}: '{piece}' has no setting name before '='.");
                }

                pairs.Add((key, piece[(eq + 1)..].Trim()));
            }

            foreach ((string key, string value) in pairs)
            {
                yield return (key, value);
            }
        }
    }

    private static bool IsHardenedFlag(string key) =>
        key.Equals("RequireMutualAuthentication", StringComparison.OrdinalIgnoreCase)
        || key.Equals("RequireIntegrity", StringComparison.OrdinalIgnoreCase)
        || key.Equals("RequirePrivacy", StringComparison.OrdinalIgnoreCase);

    private static T Apply<T>(T policy, string key, string value, string option, SettingsCatalog catalog, Func<T, string, SettingValue, T> with)
        where T : EndpointPolicy
    {
        string side = policy.Side == SettingSide.Server ? "server" : "client";
        string k = key.Trim().ToUpperInvariant();

        if (k is "REQUIRE" or "ENABLE")
        {
            string id = $"{side}.{(k == "REQUIRE" ? "RequireSecuritySignature" : "EnableSecuritySignature")}";
            return with(policy, id, ParseValue(catalog[id], key, value, option));
        }

        if (k is "ALGORITHMS" or "SIGNINGALGORITHMS" or "SIGNING ALGORITHMS" or "SMB3 SIGNING ALGORITHMS" || k == $"{side.ToUpperInvariant()} SMB3 SIGNING ALGORITHMS")
        {
            return policy with { SigningAlgorithms = ParseAlgorithms(key, value, option) };
        }

        if (k == "SIGNING" || k == $"{side.ToUpperInvariant()} SIGNING")
        {
            if (policy.Os.Family != OsFamily.Samba)
            {
                throw new CliException($"{option} {key}={value}: '{side} signing' is a Samba smb.conf parameter; add --{side}-os samba, or use require=0|1 for Windows.");
            }

            if (!SambaSigningModeInfo.TryParse(value, out SambaSigningMode mode))
            {
                throw new CliException($"{option} {key}={value}: '{value}' is not a Samba signing value; expected default, auto, desired, mandatory/required or disabled.");
            }

            return policy with { SambaSigning = mode };
        }

        IReadOnlyList<SettingDefinition> all = catalog.Find(key);
        SettingDefinition[] mine = [.. all.Where(s => s.Side == policy.Side || s.Side == SettingSide.System)];
        if (mine.Length == 0)
        {
            if (all.Count > 0)
            {
                string other = all[0].Side == SettingSide.Server ? "--server" : "--client";
                throw new CliException($"{option} {key}: {all[0].Id} is a {all[0].Side.ToString().ToLowerInvariant()} setting; pass it with {other}.");
            }

            throw new CliException($"{option}: unknown setting '{key}'.{catalog.DidYouMean(key)} Run 'smbsign explain' to list every setting.");
        }

        int applied = 0;
        foreach (SettingDefinition setting in mine)
        {
            SettingValue? parsed = FromConfFile(setting, key, value);
            if (parsed is null && IsConfParameter(setting, key))
            {
                continue;
            }

            policy = with(policy, setting.Id, parsed ?? ParseValue(setting, key, value, option));
            applied++;
        }

        if (applied == 0)
        {
            throw new CliException($"{option} {key}={value}: '{value}' has no Windows counterpart that SmbSign can evaluate.");
        }

        return policy;
    }

    private static bool IsConfParameter(SettingDefinition setting, string key) =>
        (setting.Samba is { } samba && Same(samba.Parameter, key)) || (setting.MacOs is { } mac && Same(mac.Parameter, key));

    /// <summary>When <paramref name="key"/> is the setting's smb.conf / nsmb.conf parameter, translate the file's value (e.g. SMB3_11 → 785, mandatory → 1).</summary>
    private static SettingValue? FromConfFile(SettingDefinition setting, string key, string value)
    {
        foreach (ConfMapping conf in new[] { setting.Samba, setting.MacOs }.OfType<ConfMapping>())
        {
            if (Same(conf.Parameter, key) && conf.Find(value) is { } mapped)
            {
                return mapped.Value is long number ? SettingValue.FromNumber(number) : null;
            }
        }

        return null;
    }

    private static bool Same(string a, string b) =>
        string.Equals(a.Replace(" ", string.Empty, StringComparison.Ordinal), b.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    private static SettingValue ParseValue(SettingDefinition setting, string key, string value, string option)
    {
        if (!setting.Values.TryParse(value, out SettingValue parsed, out string error))
        {
            throw new CliException($"{option} {key}={value}: {error} ({setting.Id}).");
        }

        return parsed;
    }

    private static System.Collections.Immutable.ImmutableArray<SigningAlgorithm> ParseAlgorithms(string key, string value, string option)
    {
        var list = new List<SigningAlgorithm>();
        foreach (string item in value.Split([',', ';', ' ', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!SigningAlgorithmInfo.TryParse(item, out SigningAlgorithm algorithm) || algorithm == SigningAlgorithm.Md5Smb1)
            {
                throw new CliException($"{option} {key}: '{item}' is not an SMB 3.1.1 signing algorithm; expected AES-128-GMAC, AES-128-CMAC or HMAC-SHA256.");
            }

            if (!list.Contains(algorithm))
            {
                list.Add(algorithm);
            }
        }

        if (list.Count == 0)
        {
            throw new CliException($"{option} {key}: give at least one algorithm (AES-128-GMAC, AES-128-CMAC, HMAC-SHA256).");
        }

        return [.. list];
    }
}
