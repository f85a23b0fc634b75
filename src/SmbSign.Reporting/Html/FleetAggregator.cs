using System.Globalization;
using SmbSign.Reporting.Records;

namespace SmbSign.Reporting.Html;

/// <summary>
/// Folds parsed documents into one <see cref="FleetReport"/>. A machine, server or verified target that appears in more
/// than one document is counted once: the newest document (by <c>generatedAt</c>; on a tie, the later input) wins, and a
/// note says so. Every count comes from the machine rows, with the same rules as the audit's own summary
/// (FleetSummary in SmbSign.Policy), so the page equals the audit JSON it came from. Output order is fixed (ordinal
/// sorts, first-seen rule order per benchmark), so the same inputs give the same page.
/// </summary>
internal static class FleetAggregator
{
    public static FleetReport Aggregate(IReadOnlyList<ParsedDocument> documents, IReadOnlyList<TrendPoint> trend, string title, string generatedAt, string toolVersion)
    {
        List<string> notes = [];
        // Newest first, so the first occurrence of a key is the one kept; ties keep the later input.
        int[] order = [.. Enumerable.Range(0, documents.Count).OrderByDescending(i => documents[i].GeneratedAt).ThenByDescending(i => i)];

        Dictionary<string, (AuditMachine Machine, int Source)> machines = new(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, ScanServer> servers = new(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, VerifiedSession> sessions = new(StringComparer.OrdinalIgnoreCase);
        int replacedMachines = 0, replacedServers = 0, replacedSessions = 0;
        foreach (int i in order)
        {
            ParsedDocument d = documents[i];
            foreach (AuditMachine m in d.Machines)
            {
                if (!machines.TryAdd(m.Name, (m, i)))
                {
                    replacedMachines++;
                }
            }

            foreach (ScanServer s in d.Servers)
            {
                if (!servers.TryAdd(s.Target + ":" + s.Port.ToString(CultureInfo.InvariantCulture), s))
                {
                    replacedServers++;
                }
            }

            foreach (VerifiedSession s in d.Sessions)
            {
                if (!sessions.TryAdd(s.Target, s))
                {
                    replacedSessions++;
                }
            }
        }

        AddReplaced(notes, replacedMachines, "machine", "audit");
        AddReplaced(notes, replacedServers, "server", "scan");
        AddReplaced(notes, replacedSessions, "verified target", "verify");

        List<(AuditMachine Machine, int Source)> machineRows = [.. machines.Values.OrderBy(m => m.Machine.Name, StringComparer.Ordinal)];
        (List<RuleCount> rules, List<OsCount> os) = CountAudit(machineRows);
        List<ScanServer> serverRows = [.. servers.Values.OrderBy(s => s.Target, StringComparer.Ordinal).ThenBy(s => s.Port)];
        List<VerifiedSession> sessionRows = [.. sessions.Values.OrderBy(s => s.Target, StringComparer.Ordinal)];
        List<ListenHost> clients = FoldClients(documents.SelectMany(d => d.Connections));

        List<WireCount> dialects = Count(
            serverRows.Select(s => ("scan", s.Dialect)),
            sessionRows.Select(s => ("verify", s.Dialect)),
            documents.SelectMany(d => d.Connections).Select(c => ("listen", c.Dialect)));
        List<WireCount> algorithms = Count(
            serverRows.Select(s => ("scan", s.SigningAlgorithm)),
            sessionRows.Select(s => ("verify", s.SigningAlgorithm)),
            documents.SelectMany(d => d.Connections).Select(c => ("listen", c.SigningAlgorithm)));

        (FleetVerdict verdict, List<string> reasons) = Judge(documents, machineRows, serverRows, sessionRows, clients);
        return new FleetReport
        {
            Title = title,
            GeneratedAt = generatedAt,
            ToolVersion = toolVersion,
            Sources = documents,
            Notes = notes,
            Verdict = verdict,
            VerdictReasons = reasons,
            Machines = machineRows,
            Rules = rules,
            OperatingSystems = os,
            Servers = serverRows,
            Sessions = sessionRows,
            Clients = clients,
            Dialects = dialects,
            SigningAlgorithms = algorithms,
            Trend = [.. trend.OrderBy(t => t.RunAt).ThenBy(t => t.Series, StringComparer.Ordinal).ThenBy(t => t.Kind)],
        };
    }

    private static void AddReplaced(List<string> notes, int count, string what, string kind)
    {
        if (count > 0)
        {
            notes.Add($"{count.ToString(CultureInfo.InvariantCulture)} {what}(s) appeared in more than one {kind} document; each is counted once, from the newest document.");
        }
    }

    /// <summary>Per-rule counts exactly as the audit's FleetSummary makes them, and per-OS counts from the same rows.</summary>
    private static (List<RuleCount> Rules, List<OsCount> Os) CountAudit(List<(AuditMachine Machine, int Source)> rows)
    {
        // Rule order: per benchmark, the order the audit documents list them (input order, machines by name).
        Dictionary<(string, string), RuleCount> byRule = [];
        List<RuleCount> rules = [];
        Dictionary<string, OsCount> byOs = new(StringComparer.Ordinal);
        foreach ((AuditMachine m, _) in rows)
        {
            string osId = m.Os ?? "unknown";
            if (!byOs.TryGetValue(osId, out OsCount? os))
            {
                os = new OsCount(osId, m.OsName ?? "Unknown OS");
                byOs.Add(osId, os);
            }

            os.Machines++;
            os.MachinesFailing += m.Passed ? 0 : 1;
            os.Pass += m.Pass;
            os.Fail += m.Fail;
            os.NotApplicable += m.NotApplicable;
            os.Error += m.Error;
            os.NotConfigured += m.NotConfigured;
            foreach (AuditResult r in m.Results)
            {
                if (!byRule.TryGetValue((m.Benchmark, r.Rule), out RuleCount? rule))
                {
                    rule = new RuleCount(m.Benchmark, r.Rule, r.Item, r.Title, r.Setting);
                    byRule.Add((m.Benchmark, r.Rule), rule);
                    rules.Add(rule);
                }

                switch (r.Status)
                {
                    case "pass":
                        rule.Pass++;
                        rule.PassByDefault += r.NotConfigured ? 1 : 0;
                        break;
                    case "fail":
                        rule.Fail++;
                        rule.FailNotConfigured += r.NotConfigured ? 1 : 0;
                        break;
                    case "not-applicable":
                        rule.NotApplicable++;
                        break;
                    default:
                        rule.Error++;
                        break;
                }
            }
        }

        List<string> benchmarks = [.. rules.Select(r => r.Benchmark).Distinct().Order(StringComparer.Ordinal)];
        List<RuleCount> ordered = [.. benchmarks.SelectMany(b => rules.Where(r => r.Benchmark == b))];
        return (ordered, [.. byOs.Values.OrderBy(o => o.Os, StringComparer.Ordinal)]);
    }

    /// <summary>
    /// One verdict per client address. Failing closed: a host is "does not enforce" when any of its connections was seen
    /// not to enforce, "enforces" only when every tested connection enforced, and untested otherwise.
    /// </summary>
    private static List<ListenHost> FoldClients(IEnumerable<ListenConnection> connections)
    {
        Dictionary<string, List<ListenConnection>> byHost = new(StringComparer.OrdinalIgnoreCase);
        foreach (ListenConnection c in connections)
        {
            string host = HostOf(c.Client);
            if (!byHost.TryGetValue(host, out List<ListenConnection>? list))
            {
                byHost.Add(host, list = []);
            }

            list.Add(c);
        }

        List<ListenHost> hosts = [];
        foreach ((string host, List<ListenConnection> list) in byHost.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            ListenConnection? notEnforcing = list.FirstOrDefault(c => c.EnforcesSigning == false);
            ListenConnection? enforcing = list.FirstOrDefault(c => c.EnforcesSigning == true);
            bool? enforces = notEnforcing is not null ? false : enforcing is not null ? true : null;
            bool? requires = list.Any(c => c.RequiresSigning == false) ? false : list.Any(c => c.RequiresSigning == true) ? true : null;
            ListenConnection shown = notEnforcing ?? enforcing ?? list[0];
            hosts.Add(new ListenHost(
                host,
                list.Select(c => c.Workstation).FirstOrDefault(w => !string.IsNullOrEmpty(w)),
                list.Count,
                enforces,
                requires,
                shown.Dialect,
                shown.SigningAlgorithm,
                shown.Reason));
        }

        return hosts;
    }

    /// <summary>"10.0.0.5:49152" → "10.0.0.5"; "[fd00::1]:49152" → "fd00::1"; anything else as it is.</summary>
    public static string HostOf(string client)
    {
        if (client.StartsWith('[') && client.IndexOf(']', StringComparison.Ordinal) is > 0 and int close)
        {
            return client[1..close];
        }

        int colon = client.LastIndexOf(':');
        return colon > 0 && client.IndexOf(':', StringComparison.Ordinal) == colon ? client[..colon] : client;
    }

    private static List<WireCount> Count(params IEnumerable<(string Kind, string? Value)>[] sources) =>
        [.. sources.SelectMany(s => s)
            .Where(v => !string.IsNullOrEmpty(v.Value))
            .GroupBy(v => (v.Kind, Value: v.Value!))
            .Select(g => new WireCount(g.Key.Kind, g.Key.Value, g.Count()))
            .OrderBy(w => KindOrder(w.Kind)).ThenByDescending(w => w.Count).ThenBy(w => w.Value, StringComparer.Ordinal)];

    private static int KindOrder(string kind) => kind switch
    {
        "scan" => 0,
        "verify" => 1,
        _ => 2,
    };

    private static (FleetVerdict, List<string>) Judge(
        IReadOnlyList<ParsedDocument> documents,
        List<(AuditMachine Machine, int Source)> machines,
        List<ScanServer> servers,
        List<VerifiedSession> sessions,
        List<ListenHost> clients)
    {
        List<string> fail = [];
        List<string> open = [];
        static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

        int failing = machines.Count(m => !m.Machine.Passed);
        if (failing > 0)
        {
            fail.Add($"{N(failing)} of {N(machines.Count)} audited machines fail their benchmark.");
        }

        int configRelay = machines.Count(m => m.Machine.ServerSigningNotRequired);
        if (configRelay > 0)
        {
            fail.Add($"{N(configRelay)} audited machines do not require server signing (relay targets by configuration).");
        }

        int relay = servers.Count(s => s.RelayTarget == true);
        if (relay > 0)
        {
            fail.Add($"{N(relay)} of {N(servers.Count)} scanned servers are relay targets (signing not required on the wire).");
        }

        int notEnforced = sessions.Count(s => s.Verdict == "not-enforced");
        if (notEnforced > 0)
        {
            fail.Add($"{N(notEnforced)} of {N(sessions.Count)} verified servers do not enforce signing.");
        }

        int clientsNot = clients.Count(c => c.Enforces == false);
        if (clientsNot > 0)
        {
            fail.Add($"{N(clientsNot)} of {N(clients.Count)} clients seen by listen do not enforce signing.");
        }

        int unknownServers = servers.Count(s => s.RelayTarget is null);
        if (unknownServers > 0)
        {
            open.Add($"{N(unknownServers)} scanned servers could not be judged (unreachable or no answer).");
        }

        int untested = sessions.Count(s => s.Verdict == "untested");
        if (untested > 0)
        {
            open.Add($"{N(untested)} verified servers were not tested for enforcement.");
        }

        int clientsUntested = clients.Count(c => c.Enforces is null);
        if (clientsUntested > 0)
        {
            open.Add($"{N(clientsUntested)} clients seen by listen were not tested for enforcement.");
        }

        if (documents.Count == 0 || machines.Count + servers.Count + sessions.Count + clients.Count == 0)
        {
            open.Add("The inputs hold no machine, server or client.");
        }

        if (fail.Count > 0)
        {
            return (FleetVerdict.Fail, [.. fail, .. open]);
        }

        return open.Count > 0 ? (FleetVerdict.Incomplete, open) : (FleetVerdict.Pass, ["Every audited machine passes, no relay target was found, and every tested peer enforces signing."]);
    }
}
