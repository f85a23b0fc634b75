using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>
/// Audits machines one at a time: read the machine's sources (streamed, one file in memory at a time), merge them into a
/// snapshot, decide OS, role and benchmark, evaluate, and keep only the findings. Memory grows with the results, not with
/// the size of the inputs. Thread-safe: machines can be audited in parallel.
/// </summary>
public static class FleetAuditor
{
    /// <summary>The pack chosen for machines whose every source is an Intune export.</summary>
    public const string IntuneBenchmarkId = "cis-intune-windows";

    /// <summary>The pack used when neither the command line, the manifest nor the OS decides.</summary>
    public const string FallbackBenchmarkId = "cis-win11-24h2";

    /// <summary>Audits machines in order, lazily (one machine's sources in memory at a time).</summary>
    public static IEnumerable<MachineAudit> Audit(IEnumerable<MachineInput> machines, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(options);
        foreach (MachineInput machine in machines)
        {
            yield return AuditMachine(machine, options);
        }
    }

    /// <summary>Audits machines on up to <paramref name="maxDegreeOfParallelism"/> threads; results keep the input order.
    /// <paramref name="onAudited"/> is called (from worker threads) after each machine, for progress display.</summary>
    public static MachineAudit[] AuditParallel(IReadOnlyList<MachineInput> machines, AuditOptions options, int maxDegreeOfParallelism = -1, Action<MachineAudit>? onAudited = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(options);
        var results = new MachineAudit[machines.Count];
        Parallel.For(
            0,
            machines.Count,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken },
            i =>
            {
                results[i] = AuditMachine(machines[i], options);
                onAudited?.Invoke(results[i]);
            });
        return results;
    }

    /// <summary>Reads, merges and evaluates one machine.</summary>
    public static MachineAudit AuditMachine(MachineInput machine, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(options);
        MachineSnapshot snapshot = ReadSnapshot(machine, options.Catalog);
        return Evaluate(machine, snapshot, options);
    }

    /// <summary>Reads a machine's sources in order into a snapshot.</summary>
    public static MachineSnapshot ReadSnapshot(MachineInput machine, SettingsCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        SnapshotBuilder builder = new(catalog);
        foreach (string path in machine.Paths)
        {
            foreach (SourceReadResult result in MachineSourceReader.Read(path))
            {
                builder.Add(result);
            }
        }

        return builder.Build(machine.Name);
    }

    /// <summary>Decides OS, role and benchmark for a read machine and evaluates it.</summary>
    public static MachineAudit Evaluate(MachineInput machine, MachineSnapshot snapshot, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        List<string> notes = [.. snapshot.Notes];
        (OsProfile? os, OsRole role, string osOrigin) = ResolveOs(machine, snapshot, options, notes);
        (RulePack pack, string packOrigin) = ResolveBenchmark(machine, snapshot, options, os, notes);
        IReadOnlyList<AuditFinding> findings = AuditEngine.Evaluate(snapshot, os, role, pack, options.Strict);
        return new MachineAudit
        {
            Name = machine.Name,
            Os = os,
            Role = role,
            OsOrigin = osOrigin,
            Benchmark = pack,
            BenchmarkOrigin = packOrigin,
            Findings = findings,
            Sources = snapshot.Sources,
            Diagnostics = snapshot.Diagnostics,
            Notes = notes,
            Description = machine.Description,
        };
    }

    /// <summary>OS profile (with role applied), role and where they came from: command line, manifest, file name, smb.conf.</summary>
    public static (OsProfile? Os, OsRole Role, string Origin) ResolveOs(MachineInput machine, MachineSnapshot snapshot, AuditOptions options, List<string> notes)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(notes);
        OsProfile? os;
        string origin;
        if (options.Os is not null)
        {
            (os, origin) = (options.Os, "--os");
        }
        else if (machine.Os is not null && OsProfiles.TryGet(machine.Os, out OsProfile? fromManifest))
        {
            (os, origin) = (fromManifest, FleetManifest.FileName);
        }
        else if (InferFromName(machine.Name, out string? assumption) is { } fromName
            && (fromName.Family != OsFamily.Samba || snapshot.HasFormat(SourceFormat.SmbConf) || snapshot.HasFormat(SourceFormat.NsmbConf) || snapshot.Sources.Count == 0))
        {
            (os, origin) = (fromName, "file name");
            if (assumption is not null)
            {
                notes.Add(assumption);
            }
        }
        else if (snapshot.HasFormat(SourceFormat.SmbConf))
        {
            (os, origin) = (OsProfiles.Get("samba"), "smb.conf");
        }
        else
        {
            if (InferFromName(machine.Name, out _) is { Family: OsFamily.Samba })
            {
                notes.Add("the name says samba, but no source is an smb.conf (Windows exports only), so the OS is not taken from the name");
            }

            (os, origin) = (null, "unknown");
            notes.Add("OS not known: effective values of unconfigured settings are not resolved; give --os or a machines.json entry");
        }

        OsRole role;
        if (options.Role is { } cliRole)
        {
            role = cliRole;
        }
        else if (machine.Role is { } manifestRole)
        {
            role = manifestRole;
        }
        else if (os is { Family: OsFamily.Samba } && snapshot.SambaServerRole is { } sambaRole && sambaRole.Contains("domain controller", StringComparison.OrdinalIgnoreCase))
        {
            role = OsRole.DomainController;
        }
        else if (os is { CanBeDomainController: true } && HasToken(machine.Name, "dc"))
        {
            role = OsRole.DomainController;
        }
        else
        {
            role = os?.Role ?? OsRole.Workstation;
        }

        if (os is not null && role != os.Role)
        {
            if (role == OsRole.DomainController && !os.CanBeDomainController)
            {
                notes.Add($"role dc ignored: {os.Id} cannot be a domain controller");
                role = os.Role;
            }
            else
            {
                os = os.WithRole(role);
            }
        }

        return (os, role, origin);
    }

    /// <summary>The pack for a machine and where the choice came from.</summary>
    public static (RulePack Pack, string Origin) ResolveBenchmark(MachineInput machine, MachineSnapshot snapshot, AuditOptions options, OsProfile? os, List<string> notes)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(notes);
        if (options.Benchmark is not null)
        {
            return (options.Benchmark, "--benchmark");
        }

        if (machine.Benchmark is not null && RulePacks.TryGet(machine.Benchmark, out RulePack? fromManifest))
        {
            return (fromManifest, FleetManifest.FileName);
        }

        if (snapshot.OnlyFormat(SourceFormat.IntuneJson) && RulePacks.TryGet(IntuneBenchmarkId, out RulePack? intune))
        {
            return (intune, "Intune-only sources");
        }

        if (os is not null && RulePacks.DefaultFor(os) is { } byOs)
        {
            return (byOs, "default for " + os.Id);
        }

        notes.Add($"no benchmark is the default for this machine's OS; using {FallbackBenchmarkId}");
        return (RulePacks.TryGet(FallbackBenchmarkId, out RulePack? fallback) ? fallback : RulePacks.BuiltIn[0], "fallback");
    }

    /// <summary>
    /// The OS profile a machine name spells: a profile id as a dash-delimited part of the name (<c>srv-server2019-01</c> →
    /// <c>server2019</c>, longest id first), or <c>win11-24h2</c> without an edition (assumed Pro, with a note).
    /// </summary>
    public static OsProfile? InferFromName(string name, out string? assumption)
    {
        ArgumentNullException.ThrowIfNull(name);
        assumption = null;
        foreach (OsProfile profile in OsProfiles.All.OrderByDescending(p => p.Id.Length))
        {
            if (ContainsDelimited(name, profile.Id))
            {
                return profile;
            }
        }

        if (ContainsDelimited(name, "win11-24h2"))
        {
            assumption = "the name says Windows 11 24H2 without an edition; assumed Pro (win11-24h2-pro)";
            return OsProfiles.Get("win11-24h2-pro");
        }

        return null;
    }

    private static bool ContainsDelimited(string text, string token)
    {
        int at = 0;
        while ((at = text.IndexOf(token, at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            bool startOk = at == 0 || !char.IsAsciiLetterOrDigit(text[at - 1]);
            int end = at + token.Length;
            bool endOk = end == text.Length || !char.IsAsciiLetterOrDigit(text[end]);
            if (startOk && endOk)
            {
                return true;
            }

            at++;
        }

        return false;
    }

    private static bool HasToken(string text, string token) => ContainsDelimited(text, token);
}
