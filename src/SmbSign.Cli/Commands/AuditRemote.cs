using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Formats.LiveRegistry;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;
using SmbSign.Protocol;
using SmbSign.Wire.Rpc;
using SmbSign.Wire.Scanning;
using SmbSign.Wire.Session;
using Spectre.Console;
using RegistryValueType = SmbSign.Policy.Sources.RegistryValueType;
using SmbSign.Protocol.Errors;

namespace SmbSign.Cli.Commands;

/// <summary>What <c>audit --remote</c> was asked to do (the password is held only for the run, never printed).</summary>
internal sealed record RemoteAuditRequest(TargetSource Targets, VerifyUser? User, Logon Logon, int Concurrency, TimeSpan Timeout, DirectoryInfo? Save)
{
    public string Password => Logon.Password;
}

/// <summary>The options <c>audit --remote</c> adds to <c>audit</c>.</summary>
internal sealed class RemoteAuditOptions
{
    public Option<bool> Remote { get; } = new("--remote")
    {
        Description = "Audit live machines: the PATHS are targets (hosts, host:port, CIDR ranges, as 'scan' takes them), read over SMB (\\PIPE\\winreg, MS-RRP) with -u.",
    };

    public Option<string?> User { get; } = new("--user", "-u") { Description = "With --remote: [DOMAIN\\]USER to log on as (an administrator, or an account the winreg ACL lets read the registry).", HelpName = "USER" };

    public Option<FileInfo?> PasswordFile { get; } = PasswordInput.CreateOption();

    public Option<string[]> InputLists { get; } = new("-iL", "--input-list")
    {
        Description = "With --remote: read more targets from FILE (whitespace/newline separated, '#' comments). Repeatable.",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
        HelpName = "FILE",
    };

    public Option<int> Port { get; } = new("--port", "-p") { Description = "With --remote: TCP port (default 445).", DefaultValueFactory = _ => 445, HelpName = "PORT" };

    public Option<int> Concurrency { get; } = new("--concurrency") { Description = "With --remote: targets read at once (default 32).", DefaultValueFactory = _ => 32, HelpName = "N" };

    public Option<int> Timeout { get; } = new("--timeout") { Description = "With --remote: deadline per target in milliseconds, logon and every registry read included (default 15000).", DefaultValueFactory = _ => 15000, HelpName = "MS" };

    public Option<DirectoryInfo?> Save { get; } = new("--save") { Description = "With --remote: write what was read as one .reg file per machine (UTF-16, regedit format) plus machines.json into DIR, for offline replay and 'fix'. Existing files are never replaced.", HelpName = "DIR" };

    /// <summary>-k/--kerberos, --ccache, --realm, --kdc, --nt-hash-file (shared with verify).</summary>
    public AuthenticationOptions Authentication { get; } = new();

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Remote, User, PasswordFile, InputLists, Port, Concurrency, Timeout, Save })
        {
            command.Options.Add(option);
        }

        Authentication.AddTo(command);
    }
}

/// <summary>
/// <c>smbsign audit --remote TARGETS... -u [DOMAIN\]USER</c>: for each target, one signed SMB session to IPC$, the
/// winreg pipe and MS-RRP reads of every registry location of every catalog setting plus the OS identity; the values
/// become the same observations a .reg export gives (provenance <c>winreg://HOST/HKLM\KEY\VALUE</c>) and are audited by
/// the same engine. A key or value that does not exist is not configured; anything that could not be read (access
/// denied, RemoteRegistry stopped, timeout, RPC fault) makes the affected findings <c>error</c>, never not configured.
/// </summary>
internal static class AuditRemote
{
    /// <summary>The source format of remote observations: a live registry, read over the network.</summary>
    public const SourceFormat Format = SourceFormat.LiveRegistry;

    internal const string CurrentVersionKey = @"SOFTWARE\Microsoft\Windows NT\CurrentVersion";
    internal const string ProductOptionsKey = @"SYSTEM\CurrentControlSet\Control\ProductOptions";
    private static readonly string[] s_identityValues = ["ProductName", "EditionID", "CurrentBuild", "DisplayVersion", "InstallationType"];

    /// <summary>Null when <c>--remote</c> is absent (then every remote-only option must be absent too).</summary>
    public static RemoteAuditRequest? Parse(CliServices services, ParseResult parseResult, RemoteAuditOptions options, string[] targets, bool hasLocalInputs)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(options);
        string[] lists = parseResult.GetValue(options.InputLists) ?? [];
        if (!parseResult.GetValue(options.Remote))
        {
            if (parseResult.GetValue(options.User) is not null || lists.Length > 0 || parseResult.GetValue(options.Save) is not null)
            {
                throw new CliException("audit: -u, -iL and --save are for --remote; add --remote to audit live machines.");
            }

            return null;
        }

        if (hasLocalInputs)
        {
            throw new CliException("audit --remote: --machine and --live cannot be combined with --remote; audit exports and live machines in separate runs.");
        }

        if (targets.Length == 0 && lists.Length == 0)
        {
            throw new CliException("audit --remote: no targets; give hosts, host:port or CIDR ranges, or -iL FILE.");
        }

        VerifyUser? user = null;
        bool kerberos = parseResult.GetValue(options.Authentication.Kerberos);
        if ((parseResult.GetValue(options.User) is not null || !kerberos) && !VerifyUser.TryParse(parseResult.GetValue(options.User), out user, out string userError))
        {
            throw new CliException("audit --remote: " + (parseResult.GetValue(options.User) is null ? "-u [DOMAIN\\]USER is required (an account allowed to read the registry remotely; with -k the credential cache can name it)" : userError));
        }

        int concurrency = parseResult.GetValue(options.Concurrency);
        if (concurrency is < 1 or > 4096)
        {
            throw new CliException($"audit --remote: --concurrency {concurrency.ToString(CultureInfo.InvariantCulture)} is outside 1..4096.");
        }

        int timeout = parseResult.GetValue(options.Timeout);
        if (timeout is < 100 or > 600_000)
        {
            throw new CliException($"audit --remote: --timeout {timeout.ToString(CultureInfo.InvariantCulture)} ms is outside 100..600000.");
        }

        int port = parseResult.GetValue(options.Port);
        if (port is < 1 or > 65535)
        {
            throw new CliException($"audit --remote: --port {port.ToString(CultureInfo.InvariantCulture)} is outside 1..65535.");
        }

        DirectoryInfo? save = parseResult.GetValue(options.Save);
        if (save is { Exists: false } && File.Exists(save.FullName))
        {
            throw new CliException($"audit --remote: --save {save.FullName} is a file; give a directory.");
        }

        TargetSource source;
        try
        {
            foreach (string file in lists)
            {
                if (!File.Exists(file))
                {
                    throw new CliException($"-iL: {Path.GetFullPath(file)} does not exist.");
                }
            }

            source = TargetSource.Create(targets, lists, port);
        }
        catch (TargetParseException e)
        {
            throw new CliException($"audit --remote: target: {e.Message}");
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"-iL: {e.Message}");
        }

        if (source.Count == 0)
        {
            throw new CliException("audit --remote: the targets expand to no address.");
        }

        Logon logon = options.Authentication.Resolve(parseResult, services, parseResult.GetValue(options.PasswordFile), user, "audit --remote: ");
        return new RemoteAuditRequest(source, user, logon, concurrency, TimeSpan.FromMilliseconds(timeout), save);
    }

    /// <summary>
    /// What to read from every target: each registry key of a catalog setting (service, policy and PolicyManager
    /// locations, misplacements included so they can be reported) with the value names the catalog knows; the SMB
    /// keys the live-registry reader reads in full (and Hardened UNC Paths, whose value names are the paths) are
    /// enumerated; plus the OS identity.
    /// </summary>
    public static IReadOnlyList<RemoteKeyQuery> BuildQuery(SettingsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var keys = new Dictionary<string, (string Key, SortedSet<string> Names, bool All)>(StringComparer.OrdinalIgnoreCase);
        void Add(string key, string? value, bool all)
        {
            string normalized = RegistryPath.NormalizeKey(key);
            if (!keys.TryGetValue(normalized, out var entry))
            {
                entry = (normalized, new SortedSet<string>(StringComparer.OrdinalIgnoreCase), false);
            }

            if (value is not null)
            {
                entry.Names.Add(value);
            }

            keys[normalized] = entry with { All = entry.All || all };
        }

        foreach (SettingDefinition setting in catalog.Settings)
        {
            foreach (RegistryLocation location in setting.AllRegistryLocations)
            {
                bool hardened = location.ValueName.StartsWith(@"\\", StringComparison.Ordinal);
                Add(location.Key, hardened ? null : location.ValueName, hardened);
            }
        }

        foreach (string key in LiveRegistryReader.Keys)
        {
            Add(key, null, all: true);
        }

        foreach (RegistryIdentity single in LiveRegistryReader.SingleValues)
        {
            Add(single.KeyPath, single.ValueName, all: false);
        }

        foreach (string name in s_identityValues)
        {
            Add(CurrentVersionKey, name, all: false);
        }

        Add(ProductOptionsKey, "ProductType", all: false);
        return [.. keys.Values.Select(k => new RemoteKeyQuery(k.Key, [.. k.Names], k.All))];
    }

    /// <summary>Reads and audits every target, <see cref="RemoteAuditRequest.Concurrency"/> at a time; results in target order.</summary>
    public static async Task<MachineAudit[]> RunAsync(CliServices services, RemoteAuditRequest request, AuditOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<RemoteKeyQuery> query = BuildQuery(options.Catalog ?? SettingsCatalog.Default);
        var reader = new RemoteRegistryReader(services.Time);
        ScanTarget[] targets = [.. request.Targets.Enumerate()];
        var audits = new MachineAudit[targets.Length];
        var saved = new SavedMachine?[targets.Length];
        if (request.Save is not null)
        {
            Directory.CreateDirectory(request.Save.FullName);
        }

        async Task AuditAllAsync(Action? onDone)
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, targets.Length),
                new ParallelOptions { MaxDegreeOfParallelism = request.Concurrency, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    ScanTarget target = targets[i];
                    var smb = new SmbClientOptions
                    {
                        // Kerberos names the server (cifs/HOST) by the name given; the address found for it is where to connect.
                        Host = request.Logon.Kerberos is null ? target.Address?.ToString() ?? target.Host : target.Host,
                        TargetAddress = request.Logon.Kerberos is null ? null : target.Address?.ToString(),
                        Kerberos = request.Logon.Kerberos,
                        NtHash = request.Logon.NtHash,
                        Port = target.Port,
                        User = request.User?.User ?? string.Empty,
                        Domain = request.User?.Domain ?? string.Empty,
                        Timeout = request.Timeout,
                    };
                    RemoteRegistryResult result = await reader.ReadAsync(smb, request.Password, query, request.Timeout, token).ConfigureAwait(false);
                    audits[i] = ToAudit(result, options);
                    if (request.Save is not null && result.Error is null)
                    {
                        saved[i] = Save(request.Save, result, audits[i], services);
                    }

                    onDone?.Invoke();
                }).ConfigureAwait(false);
        }

        if (!services.IsInteractive || targets.Length < 2)
        {
            await AuditAllAsync(null).ConfigureAwait(false);
        }
        else
        {
            await services.Console.Progress()
                .AutoClear(true)
                .StartAsync(async context =>
                {
                    ProgressTask task = context.AddTask($"Reading {targets.Length.ToString(CultureInfo.InvariantCulture)} machines over winreg", maxValue: targets.Length);
                    await AuditAllAsync(() => task.Increment(1)).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }

        if (request.Save is not null)
        {
            await WriteManifestAsync(services, request.Save, [.. saved.OfType<SavedMachine>()]).ConfigureAwait(false);
        }

        return audits;
    }

    /// <summary>Turns one target's answer into a machine audit, exactly as an export with the same values would be audited,
    /// plus the OS identity and fail-closed errors for whatever could not be read.</summary>
    internal static MachineAudit ToAudit(RemoteRegistryResult result, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        SourceReadResult source = ToSource(result);
        var builder = new SnapshotBuilder(options.Catalog);
        builder.Add(source);
        MachineSnapshot snapshot = builder.Build(result.Target);
        var machine = new MachineInput { Name = result.Target, Paths = [], Grouping = MachineGrouping.CommandLine };
        List<string> notes = [.. snapshot.Notes];
        notes.Add(DescribeSession(result));

        OsIdentity identity = OsIdentity.From(result.Values);
        OsProfile? detected = null;
        string? detectedText = null;
        if (options.Os is null && result.Error is null)
        {
            detected = identity.ToProfile(out detectedText);
        }

        AuditOptions effective = options with
        {
            Os = options.Os ?? detected,
            Role = options.Role ?? (result.Error is null ? identity.Role : null),
        };
        (OsProfile? os, OsRole role, string osOrigin) = FleetAuditor.ResolveOs(machine, snapshot, effective, notes);
        if (options.Os is null)
        {
            if (detected is not null)
            {
                osOrigin = "remote registry";
                notes.Add(detectedText!);
            }
            else if (result.Error is null)
            {
                notes.RemoveAll(n => n.StartsWith("OS not known", StringComparison.Ordinal));
                notes.Add($"OS not known: {detectedText ?? identity.Describe()}; effective values of unconfigured settings are not resolved; give --os");
            }
        }

        (Policy.Rules.RulePack pack, string packOrigin) = FleetAuditor.ResolveBenchmark(machine, snapshot, effective, os, notes);
        IReadOnlyList<AuditFinding> findings = AuditEngine.Evaluate(snapshot, os, role, pack, options.Strict);
        findings = FailClosed(findings, result);
        return new MachineAudit
        {
            Name = result.Target,
            Os = os,
            Role = role,
            OsOrigin = osOrigin,
            Benchmark = pack,
            BenchmarkOrigin = packOrigin,
            Findings = findings,
            Sources = snapshot.Sources,
            Diagnostics = snapshot.Diagnostics,
            Notes = notes,
        };
    }

    /// <summary>The observations and diagnostics of one target, as a reader of a .reg export would return them.</summary>
    internal static SourceReadResult ToSource(RemoteRegistryResult result)
    {
        string root = "winreg://" + result.Target;
        List<Observation> observations = [];
        List<SourceDiagnostic> diagnostics = [];
        if (result.Error is { } error)
        {
            diagnostics.Add(new SourceDiagnostic(DiagnosticSeverity.Error, DiagnosticCodes.Rrp001, error.Message, SourceLocation.OfFile(root, Format)));
        }

        foreach (RemoteRegistryEntry entry in result.Values)
        {
            SourceLocation location = SourceLocation.OfFile($@"{root}/HKLM\{entry.Key}\{entry.ValueName}", Format);
            RegistryValue value = RegistryValue.FromRaw((RegistryValueType)entry.Type, entry.Data, out string? problem);
            if (problem is not null)
            {
                diagnostics.Add(new SourceDiagnostic(DiagnosticSeverity.Warning, DiagnosticCodes.Rrp003, problem, location));
            }

            observations.Add(Observation.ForValue(RegistryHive.LocalMachine, new RegistryIdentity(entry.Key, entry.ValueName), value, location));
        }

        foreach (RemoteReadProblem problem in result.Problems)
        {
            string path = problem.ValueName is null ? $@"{root}/HKLM\{problem.Key}" : $@"{root}/HKLM\{problem.Key}\{problem.ValueName}";
            diagnostics.Add(new SourceDiagnostic(DiagnosticSeverity.Error, DiagnosticCodes.Rrp002, problem.Message, SourceLocation.OfFile(path, Format)));
        }

        return new SourceReadResult(root, Format, [.. observations], [.. diagnostics]);
    }

    /// <summary>A finding whose setting lives (in any location) in a key or value that could not be read cannot be
    /// decided: a Policies value the server refused to show would override the service value that was read.</summary>
    private static IReadOnlyList<AuditFinding> FailClosed(IReadOnlyList<AuditFinding> findings, RemoteRegistryResult result)
    {
        if (result.Problems.Count == 0)
        {
            return findings;
        }

        return [.. findings.Select(finding =>
        {
            if (finding.Status is AuditStatus.Error or AuditStatus.NotApplicable)
            {
                return finding;
            }

            RemoteReadProblem? blocking = result.Problems.FirstOrDefault(p => finding.Rule.Setting.AllRegistryLocations.Any(l =>
                RegistryPath.KeysEqual(l.Key, p.Key) && (p.ValueName is null || string.Equals(p.ValueName, l.ValueName, StringComparison.OrdinalIgnoreCase))));
            return blocking is null ? finding : finding with
            {
                Status = AuditStatus.Error,
                Note = $"HKLM\\{blocking.Key}{(blocking.ValueName is null ? string.Empty : "\\" + blocking.ValueName)} could not be read ({blocking.Message}), so the effective value is unknown",
                Reason = "unreadable remote key",
            };
        })];
    }

    private static string DescribeSession(RemoteRegistryResult result)
    {
        VerificationReport session = result.Session;
        if (session.Dialect is not { } dialect)
        {
            return "read over \\PIPE\\winreg: no SMB session was established";
        }

        int responses = session.Messages.Count(m => m.Direction == MessageDirection.Response && m.Verified == true);
        return string.Create(CultureInfo.InvariantCulture,
            $"read over \\PIPE\\winreg in a signed SMB {dialect.ToDisplayString()} session ({session.SigningAlgorithm?.ToDisplayString() ?? "no algorithm"}, {responses} responses verified, {session.Failures.Count} failed); the server {(session.ServerRequiresSigning ? "requires" : "does not require")} signing; {result.Elapsed.TotalMilliseconds:0} ms");
    }

    private sealed record SavedMachine(string Name, string File, string? Os, OsRole Role);

    /// <summary>Writes the values read as a regedit 5.00 file (never replacing one); problems go in header comments,
    /// because a replay of the file alone would show them as not configured.</summary>
    private static SavedMachine? Save(DirectoryInfo directory, RemoteRegistryResult result, MachineAudit audit, CliServices services)
    {
        string stem = string.Concat(result.Target.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        string file = stem + ".reg";
        List<RegistryChange> changes = [];
        foreach (RemoteRegistryEntry entry in result.Values)
        {
            changes.Add(new RegistryChange(new RegistryIdentity(entry.Key, entry.ValueName), RegistryValue.FromRaw((RegistryValueType)entry.Type, entry.Data, out _)));
        }

        List<string> header = [$"Read by smbsign audit --remote from winreg://{result.Target}"];
        header.AddRange(result.Problems.Select(p => $"NOT READ: HKLM\\{p.Key}{(p.ValueName is null ? string.Empty : "\\" + p.ValueName)}: {p.Message}"));
        try
        {
            byte[] bytes = RegWriter.Write(changes, header);
            AtomicFile.CreateNew(Path.Combine(directory.FullName, file), stream => stream.Write(bytes));
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            lock (services.Error)
            {
                services.Error.WriteLine($"smbsign: warning: --save: cannot write {Path.Combine(directory.FullName, file)} ({(e is UnauthorizedAccessException ? "access is denied" : "it already exists or I/O error")}); not saved");
            }

            return null;
        }

        if (result.Problems.Count > 0)
        {
            lock (services.Error)
            {
                services.Error.WriteLine($"smbsign: warning: --save: {file} lacks {result.Problems.Count.ToString(CultureInfo.InvariantCulture)} key(s)/value(s) that could not be read; a replay shows them as not configured");
            }
        }

        return new SavedMachine(stem, file, audit.OsOrigin == "remote registry" ? audit.Os?.Id : null, audit.Role);
    }

    private static async Task WriteManifestAsync(CliServices services, DirectoryInfo directory, SavedMachine[] machines)
    {
        string path = Path.Combine(directory.FullName, FleetManifest.FileName);
        if (machines.Length == 0)
        {
            return;
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteStartArray("machines");
            foreach (SavedMachine machine in machines)
            {
                json.WriteStartObject();
                json.WriteString("name", machine.Name);
                if (machine.Os is not null)
                {
                    json.WriteString("os", machine.Os);
                    json.WriteString("role", Policy.Rules.RulePackLoader.RoleToken(machine.Role));
                }

                json.WriteString("description", "read by smbsign audit --remote");
                json.WriteStartArray("files");
                json.WriteStringValue(machine.File);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        try
        {
            byte[] bytes = stream.ToArray();
            AtomicFile.CreateNew(path, s => s.Write(bytes));
            await services.Error.WriteLineAsync($"smbsign: wrote {machines.Length.ToString(CultureInfo.InvariantCulture)} .reg file(s) and {path}").ConfigureAwait(false);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            await services.Error.WriteLineAsync($"smbsign: warning: --save: {path} already exists or cannot be written; the .reg files are saved, give --os when replaying").ConfigureAwait(false);
        }
    }
}

/// <summary>
/// The OS identity read from <c>HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion</c> (ProductName, EditionID,
/// CurrentBuild, DisplayVersion, InstallationType) and <c>HKLM\SYSTEM\CurrentControlSet\Control\ProductOptions</c>
/// ProductType (WinNT workstation, ServerNT member server, LanmanNT domain controller), and the OS profile it names.
/// </summary>
internal sealed record OsIdentity(string? ProductName, string? EditionId, string? CurrentBuild, string? DisplayVersion, string? InstallationType, string? ProductType)
{
    public static OsIdentity From(IEnumerable<RemoteRegistryEntry> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string? Get(string key, string name)
        {
            RemoteRegistryEntry? entry = values.FirstOrDefault(v => string.Equals(v.Key, key, StringComparison.OrdinalIgnoreCase) && string.Equals(v.ValueName, name, StringComparison.OrdinalIgnoreCase));
            return entry is { Type: 1 or 2 } ? RegistryValue.FromRaw((RegistryValueType)entry.Type, entry.Data, out _).ToDisplayString().Trim() : null;
        }

        return new OsIdentity(
            Get(AuditRemote.CurrentVersionKey, "ProductName"),
            Get(AuditRemote.CurrentVersionKey, "EditionID"),
            Get(AuditRemote.CurrentVersionKey, "CurrentBuild"),
            Get(AuditRemote.CurrentVersionKey, "DisplayVersion"),
            Get(AuditRemote.CurrentVersionKey, "InstallationType"),
            Get(AuditRemote.ProductOptionsKey, "ProductType"));
    }

    /// <summary>The role ProductType names, or null when it is missing or unknown.</summary>
    public OsRole? Role => ProductType?.ToUpperInvariant() switch
    {
        "WINNT" => OsRole.Workstation,
        "SERVERNT" => OsRole.MemberServer,
        "LANMANNT" => OsRole.DomainController,
        _ => null,
    };

    /// <summary>What was read, for notes: <c>ProductName 'Windows 11 Pro', EditionID Professional, CurrentBuild 26100, ...</c>.</summary>
    public string Describe()
    {
        string Part(string name, string? value) => $"{name} {(value is null ? "(absent)" : "'" + value + "'")}";
        return string.Join(", ", Part("ProductName", ProductName), Part("EditionID", EditionId), Part("CurrentBuild", CurrentBuild),
            Part("DisplayVersion", DisplayVersion), Part("InstallationType", InstallationType), Part("ProductType", ProductType));
    }

    /// <summary>The OS profile for this identity, or null; <paramref name="explanation"/> says what was read and why.</summary>
    public OsProfile? ToProfile(out string explanation)
    {
        if (!int.TryParse(CurrentBuild, NumberStyles.None, CultureInfo.InvariantCulture, out int build))
        {
            explanation = $"no usable CurrentBuild ({Describe()})";
            return null;
        }

        bool server = Role is OsRole.MemberServer or OsRole.DomainController
            || (InstallationType?.StartsWith("Server", StringComparison.OrdinalIgnoreCase) ?? false)
            || (EditionId?.StartsWith("Server", StringComparison.OrdinalIgnoreCase) ?? false);
        string edition = EditionId?.ToUpperInvariant() switch
        {
            "PROFESSIONAL" or "PROFESSIONALWORKSTATION" or "PROFESSIONALEDUCATION" => "pro",
            "ENTERPRISE" or "ENTERPRISES" or "IOTENTERPRISE" or "IOTENTERPRISES" => "enterprise",
            "EDUCATION" => "education",
            "CORE" or "CORESINGLELANGUAGE" or "CORECOUNTRYSPECIFIC" => "home",
            _ => string.Empty,
        };
        string? id = (server, build) switch
        {
            (true, 14393) => "server2016",
            (true, 17763) => "server2019",
            (true, 20348) => "server2022",
            (true, 26100) => "server2025",
            (false, 19045) => edition == "enterprise" ? "win10-enterprise" : edition == "pro" ? "win10" : null,
            (false, 22631) => edition == "enterprise" ? "win11-23h2-enterprise" : edition == "pro" ? "win11-23h2" : null,
            (false, 26100) => edition.Length == 0 ? null : "win11-24h2-" + edition,
            _ => null,
        };
        if (id is null || !OsProfiles.TryGet(id, out OsProfile? profile))
        {
            explanation = $"build {build} {(server ? "server" : "client")} edition '{EditionId}' has no OS profile ({Describe()})";
            return null;
        }

        explanation = $"OS {profile.Id} from the remote registry ({Describe()})";
        return profile;
    }
}
