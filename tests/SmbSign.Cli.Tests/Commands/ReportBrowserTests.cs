using System.Text.Json;
using System.Text.Json.Nodes;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>
/// The report in a real headless chromium (Debian's package, driven over the DevTools protocol by
/// <see cref="HeadlessChromium"/>). The inputs are real: <c>smbsign audit</c> over the bundled fleet plus 130 more
/// machines and two hostile names, and <c>smbsign scan</c> against two real Samba servers (one requiring signing, one
/// not). The page must render at 1280 and 390 px without console errors or network requests, show the numbers of the
/// JSON it was built from, filter, sort and paginate; screenshots go to artifacts/report-screenshots/.
/// </summary>
public sealed class ReportBrowserTests : IAsyncLifetime
{
    /// <summary>Names that would run script if any part of the page put them into HTML unescaped.</summary>
    private const string HostileScript = "<script>window.__xss=1</script>";

    private const string HostileClose = "</script><img src=x onerror=\"window.__xss=2\">";

    private const int ExtraMachines = 130;

    private readonly string _dir = Directory.CreateTempSubdirectory("smbsign-report-").FullName;
    private SambaServer? _required;
    private SambaServer? _notRequired;

    private string AuditPath => Path.Combine(_dir, "audit.json");

    private string ScanPath => Path.Combine(_dir, "scan.json");

    private string ReportPath => Path.Combine(_dir, "report.html");

    public async Task InitializeAsync()
    {
        // The bundled fleet, plus copies of one workstation (for pagination) and two machines with hostile names.
        string fleet = Path.Combine(_dir, "fleet");
        Directory.CreateDirectory(fleet);
        string samples = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");
        foreach (string file in Directory.EnumerateFiles(samples))
        {
            File.Copy(file, Path.Combine(fleet, Path.GetFileName(file)));
        }

        foreach (string folder in Directory.EnumerateDirectories(samples))
        {
            CopyFolder(folder, Path.Combine(fleet, Path.GetFileName(folder)));
        }

        for (int i = 0; i < ExtraMachines; i++)
        {
            File.Copy(Path.Combine(samples, "ws-win10-01.reg"), Path.Combine(fleet, $"pc-win10-{i:D3}.reg"));
        }

        File.Copy(Path.Combine(samples, "ws-win10-01.reg"), Path.Combine(fleet, "hostile1.reg"));
        File.Copy(Path.Combine(samples, "srv-server2025-01.reg"), Path.Combine(fleet, "hostile2.reg"));
        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(samples, "machines.json")))!.AsObject();
        manifest["machines"]!.AsArray().Add(new JsonObject { ["name"] = HostileScript, ["os"] = "win10", ["role"] = "workstation", ["files"] = new JsonArray("hostile1.reg") });
        manifest["machines"]!.AsArray().Add(new JsonObject { ["name"] = HostileClose, ["os"] = "server2025", ["role"] = "member", ["files"] = new JsonArray("hostile2.reg") });
        File.WriteAllText(Path.Combine(fleet, "machines.json"), manifest.ToJsonString());

        CliRun audit = await CliHarness.RunAsync(["audit", fleet, "--format", "json", "-o", AuditPath]);
        Assert.True(audit.ExitCode is 0 or 1, audit.Error);

        _required = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });
        _notRequired = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "auto" });
        CliRun scan = await CliHarness.RunAsync(["scan", $"127.0.0.1:{_required.Port}", $"127.0.0.1:{_notRequired.Port}", "--format", "json", "-o", ScanPath]);
        Assert.True(scan.ExitCode is 0 or 1, scan.Error);

        CliRun report = await CliHarness.RunAsync(["report", AuditPath, ScanPath, "-o", ReportPath, "--title", "Contoso <b>fleet</b>"]);
        Assert.True(report.ExitCode == 0, report.Error);
    }

    public async Task DisposeAsync()
    {
        if (_required is not null)
        {
            await _required.DisposeAsync();
        }

        if (_notRequired is not null)
        {
            await _notRequired.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Report_InHeadlessChromium_RendersTheJsonNumbersFiltersSortsAndPaginatesOffline()
    {
        using JsonDocument auditJson = JsonDocument.Parse(File.ReadAllBytes(AuditPath));
        JsonElement summary = auditJson.RootElement.GetProperty("summary");
        JsonElement[] machines = [.. auditJson.RootElement.GetProperty("machines").EnumerateArray()];
        using JsonDocument scanJson = JsonDocument.Parse(File.ReadAllBytes(ScanPath));
        JsonElement[] servers = [.. scanJson.RootElement.EnumerateArray()];
        Assert.Equal(2, servers.Length);
        // The Samba fixture with "server signing = auto" does not require signing: a relay target on the wire.
        Assert.Equal(1, servers.Count(s => s.GetProperty("relayTarget").ValueKind == JsonValueKind.True));
        string url = new Uri(ReportPath).AbsoluteUri;
        string shots = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "report-screenshots");
        Directory.CreateDirectory(shots);

        await using HeadlessChromium chromium = await HeadlessChromium.StartAsync();
        await chromium.OpenPageAsync(1280, 900);
        await chromium.NavigateAsync(url);
        Assert.Equal("1", await chromium.EvaluateStringAsync("document.documentElement.getAttribute('data-ready') || ''"));

        // Fleet numbers equal the audit's own summary.
        Assert.Equal(summary.GetProperty("machinesFailing").GetInt32(), await Number(chromium, "[data-k=machines-failing]"));
        Assert.Equal(summary.GetProperty("machines").GetInt32(), await Number(chromium, "[data-k=machines-failing-of]"));
        Assert.Equal(summary.GetProperty("machinesPassing").GetInt32(), await Number(chromium, "[data-k=machines-passing]"));
        Assert.Equal("FAIL", await chromium.EvaluateStringAsync("document.querySelector('[data-k=verdict]').textContent"));
        // Every CIS item row equals the audit's summary.rules entry.
        foreach (JsonElement rule in summary.GetProperty("rules").EnumerateArray())
        {
            string key = rule.GetProperty("benchmark").GetString() + "/" + rule.GetProperty("rule").GetString();
            JsonNode? cells = await chromium.EvaluateAsync(
                $"(function(){{var tr=[...document.querySelectorAll('#rules-table tr[data-rule]')].find(t=>t.getAttribute('data-rule')==={JsonSerializer.Serialize(key)}); if(!tr) return null; var o={{}}; tr.querySelectorAll('[data-c]').forEach(td=>o[td.getAttribute('data-c')]=+td.textContent); return o;}})()");
            Assert.True(cells is not null, "no row for " + key);
            Assert.Equal(rule.GetProperty("pass").GetInt32(), cells["pass"]!.GetValue<int>());
            Assert.Equal(rule.GetProperty("passByDefault").GetInt32(), cells["default"]!.GetValue<int>());
            Assert.Equal(rule.GetProperty("fail").GetInt32(), cells["fail"]!.GetValue<int>());
            Assert.Equal(rule.GetProperty("failNotConfigured").GetInt32(), cells["not-set"]!.GetValue<int>());
            Assert.Equal(rule.GetProperty("notApplicable").GetInt32(), cells["na"]!.GetValue<int>());
            Assert.Equal(rule.GetProperty("error").GetInt32(), cells["error"]!.GetValue<int>());
        }

        // Per OS: machines and failing machines equal the machine list of the JSON.
        foreach (IGrouping<string, JsonElement> os in machines.GroupBy(m => m.GetProperty("os").GetString() ?? "unknown"))
        {
            JsonNode? cells = await chromium.EvaluateAsync(
                $"(function(){{var tr=[...document.querySelectorAll('#os-table tr[data-os]')].find(t=>t.getAttribute('data-os')==={JsonSerializer.Serialize(os.Key)}); var o={{}}; tr.querySelectorAll('[data-c]').forEach(td=>o[td.getAttribute('data-c')]=+td.textContent); return o;}})()");
            Assert.Equal(os.Count(), cells!["machines"]!.GetValue<int>());
            Assert.Equal(os.Count(m => m.GetProperty("verdict").GetString() == "fail"), cells["failing"]!.GetValue<int>());
        }

        // Relay targets on the wire equal the scan.
        Assert.Equal(servers.Count(s => s.GetProperty("relayTarget").ValueKind == JsonValueKind.True), await Number(chromium, "[data-k=relay-wire]"));
        Assert.Equal(2, await Number(chromium, "[data-k=relay-wire-of]"));
        // Dialects seen on the wire: one row per negotiated dialect with the scan's count.
        foreach (IGrouping<string?, JsonElement> dialect in servers.GroupBy(s => s.GetProperty("smb2").GetProperty("dialect").GetString()).Where(g => g.Key is not null))
        {
            Assert.Equal(dialect.Count(), await Number(chromium, $"#dialects tr[data-w='scan/{dialect.Key}'] td.num"));
        }

        // The machine table: every machine, paginated at 100.
        int total = machines.Length;
        Assert.True(total > 100, $"{total} machines");
        Assert.Equal(total, await Number(chromium, "#m-count", "data-total"));
        Assert.Equal(100, await Number(chromium, "#m-count", "data-rows"));
        Assert.Equal(100, await Number(chromium, "#m-table tbody tr"));
        Assert.Equal(2, await Number(chromium, "#m-page", "data-pages"));
        await chromium.SaveScreenshotAsync(Path.Combine(shots, "desktop-1280.png"));
        await chromium.SaveScreenshotAsync(Path.Combine(shots, "desktop-1280-first-screen.png"), 900);
        await chromium.EvaluateAsync("document.getElementById('machines').scrollIntoView()");
        await chromium.SaveScreenshotAsync(Path.Combine(shots, "desktop-1280-machines.png"), 900);

        await chromium.EvaluateAsync("document.querySelector('#m-pager [data-p=next]').click()");
        Assert.Equal(2, await Number(chromium, "#m-page", "data-page"));
        Assert.Equal(total - 100, await Number(chromium, "#m-count", "data-rows"));

        // Filter: typed like a user; the count equals the machines whose name or OS contains the text.
        await chromium.EvaluateAsync("document.getElementById('m-filter').focus()");
        await chromium.InsertTextAsync("win11");
        int expected = machines.Count(m => (m.GetProperty("name").GetString() + " " + m.GetProperty("os").GetString()).Contains("win11", StringComparison.OrdinalIgnoreCase));
        Assert.True(await WaitFor(chromium, $"document.getElementById('m-count').getAttribute('data-shown')==='{expected}'"), "filter count");
        Assert.Equal(1, await Number(chromium, "#m-page", "data-page"));
        Assert.Equal(expected, await Number(chromium, "#m-table tbody tr"));

        // Filtering by an item id finds exactly the machines failing it.
        await chromium.EvaluateAsync("var f=document.getElementById('m-filter'); f.value=''; f.focus()");
        await chromium.InsertTextAsync("2.3.8.1");
        int failing2381 = machines.Count(m => m.GetProperty("failing").EnumerateArray().Any(f => f.GetString() == "2.3.8.1"));
        Assert.True(await WaitFor(chromium, $"document.getElementById('m-count').getAttribute('data-shown')==='{failing2381}'"), "filter by item");

        // Sort by Fail (descending on first click): the first row has the most failures of any machine.
        await chromium.EvaluateAsync("var f=document.getElementById('m-filter'); f.value=''; f.dispatchEvent(new Event('input'))");
        Assert.True(await WaitFor(chromium, $"document.getElementById('m-count').getAttribute('data-shown')==='{total}'"), "filter cleared");
        await chromium.EvaluateAsync("[...document.querySelectorAll('#m-table th')].find(t=>t.textContent==='Fail').click()");
        int maxFail = machines.Max(m => m.GetProperty("counts").GetProperty("fail").GetInt32());
        Assert.Equal(maxFail, await Number(chromium, "#m-table tbody tr td:nth-child(5)"));
        Assert.Equal("descending", await chromium.EvaluateStringAsync("[...document.querySelectorAll('#m-table th')].find(t=>t.textContent==='Fail').getAttribute('aria-sort')"));

        // Verdict view: failing machines only.
        await chromium.EvaluateAsync("var s=document.getElementById('m-view'); s.value='fail'; s.dispatchEvent(new Event('change'))");
        Assert.Equal(summary.GetProperty("machinesFailing").GetInt32(), await Number(chromium, "#m-count", "data-shown"));

        // Hostile names: shown as text, no script ran, only our two script elements exist.
        await chromium.EvaluateAsync("var s=document.getElementById('m-view'); s.value='all'; s.dispatchEvent(new Event('change')); var f=document.getElementById('m-filter'); f.value='script'; f.dispatchEvent(new Event('input'))");
        Assert.True(await WaitFor(chromium, "document.getElementById('m-count').getAttribute('data-shown')==='2'"), "hostile names listed");
        string cells0 = await chromium.EvaluateStringAsync("[...document.querySelectorAll('#m-table tbody td.name')].map(t=>t.textContent).sort().join('|')");
        Assert.Equal(string.Join('|', new[] { HostileClose, HostileScript }.Order(StringComparer.Ordinal)), cells0);
        Assert.Equal("undefined", await chromium.EvaluateStringAsync("typeof window.__xss"));
        Assert.Equal(2, await Number(chromium, "script"));
        Assert.Equal(0, await Number(chromium, "img"));
        // The quoted fix command names the hostile machine in single quotes.
        string fix = await chromium.EvaluateStringAsync("[...document.querySelectorAll('#m-table tbody tr')].map(tr=>tr.lastChild.textContent).join('|')");
        Assert.Contains("-m '" + HostileScript + "' -t all -o fix-machine", fix, StringComparison.Ordinal);

        // The server table holds both scanned Samba servers; the relay view holds the one that does not require signing.
        await chromium.EvaluateAsync("var s=document.getElementById('s-view'); s.value='relay'; s.dispatchEvent(new Event('change'))");
        Assert.Equal(1, await Number(chromium, "#s-count", "data-shown"));
        Assert.Equal($"127.0.0.1:{_notRequired!.Port}", await chromium.EvaluateStringAsync("document.querySelector('#s-table tbody td').textContent"));

        // The phone view: same page at 390 px, nothing wider than the viewport but the scrolling tables.
        await chromium.SetViewportAsync(390, 844);
        await chromium.NavigateAsync(url);
        Assert.Equal("1", await chromium.EvaluateStringAsync("document.documentElement.getAttribute('data-ready') || ''"));
        string wide = await chromium.EvaluateStringAsync(
            "[...document.querySelectorAll('body *')].filter(e=>e.getBoundingClientRect().right>391 && !e.closest('.scroll')).slice(0,5).map(e=>e.tagName+'.'+e.className+'#'+e.id+':'+Math.round(e.getBoundingClientRect().right)).join(', ')");
        Assert.True((await chromium.EvaluateAsync("document.documentElement.scrollWidth"))!.GetValue<int>() <= 390, "page wider than 390 px: " + wide);
        await chromium.SaveScreenshotAsync(Path.Combine(shots, "mobile-390.png"));
        await chromium.SaveScreenshotAsync(Path.Combine(shots, "mobile-390-first-screen.png"), 844);

        // Print: the browser's PDF is produced (the @media print rules hide the controls).
        await chromium.SetViewportAsync(1280, 900);
        await chromium.EmulateMediaAsync("print");
        Assert.Equal("none", await chromium.EvaluateStringAsync("getComputedStyle(document.querySelector('.controls')).display"));
        Assert.Equal("none", await chromium.EvaluateStringAsync("getComputedStyle(document.querySelector('nav.toc')).display"));
        await chromium.EmulateMediaAsync(string.Empty);
        byte[] pdf = await chromium.PrintToPdfAsync();
        Assert.True(pdf.Length > 1000 && pdf.AsSpan(0, 4).SequenceEqual("%PDF"u8));
        await File.WriteAllBytesAsync(Path.Combine(shots, "print.pdf"), pdf);

        Assert.Empty(chromium.ConsoleErrors);
        Assert.All(chromium.Requests, r => Assert.Equal(url, r));
        Assert.NotEmpty(chromium.Requests);
    }

    private static async Task<int> Number(HeadlessChromium chromium, string selector, string? attribute = null)
    {
        string s = JsonSerializer.Serialize(selector);
        string expression = selector is "script" or "img" || selector.EndsWith(" tr", StringComparison.Ordinal)
            ? $"String(document.querySelectorAll({s}).length)"
            : attribute is null
                ? $"document.querySelector({s}).textContent.replace(/[^0-9]/g,'')"
                : $"document.querySelector({s}).getAttribute({JsonSerializer.Serialize(attribute)})";
        return int.Parse(await chromium.EvaluateStringAsync(expression), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<bool> WaitFor(HeadlessChromium chromium, string condition)
    {
        for (int i = 0; i < 100; i++)
        {
            if ((await chromium.EvaluateAsync($"!!({condition})"))!.GetValue<bool>())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string folder in Directory.EnumerateDirectories(from))
        {
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }
}
