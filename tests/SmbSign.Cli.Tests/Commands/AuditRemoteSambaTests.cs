using System.Globalization;
using System.Text.Json;
using SmbSign.Cli.Commands;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;
using SmbSign.Policy.Sources;
using SmbSign.Testing;
using SmbSign.Wire.Rpc;
using RegistryValueType = SmbSign.Policy.Sources.RegistryValueType;
using SmbClientOptions = SmbSign.Wire.Session.SmbClientOptions;

namespace SmbSign.Cli.Tests.Commands;

/// <summary>A Samba server serving winreg, its registry seeded with signing settings: set, a Policies override, a wrong
/// type, Hardened UNC Paths, and a Policies key only SYSTEM may open.</summary>
public sealed class RemoteAuditSamba : IAsyncLifetime
{
    public const string Workstation = @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    public const string Server = @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
    public const string WorkstationPolicy = @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation";
    public const string DeniedServerPolicy = @"SOFTWARE\Policies\Microsoft\Windows\LanmanServer";
    public const string HardenedPaths = @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths";

    public SambaServer Samba { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Samba = await SambaServer.StartAsync(new SambaServerOptions { RemoteRegistry = true });
        foreach (string key in new[] { Workstation, Server, WorkstationPolicy, DeniedServerPolicy, HardenedPaths })
        {
            await Samba.RegistryAsync("createkey", @"HKLM\" + key);
        }

        await Samba.RegistryAsync("setvalue", @"HKLM\" + Workstation, "RequireSecuritySignature", "dword", "0");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Workstation, "EnableSecuritySignature", "dword", "1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Workstation, "AllowInsecureGuestAuth", "dword", "0");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + WorkstationPolicy, "AllowInsecureGuestAuth", "dword", "1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Server, "RequireSecuritySignature", "dword", "1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Server, "EnableSecuritySignature", "sz", "1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + HardenedPaths, @"\\*\SYSVOL", "sz", "RequireMutualAuthentication=1, RequireIntegrity=1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + DeniedServerPolicy, "SMB1", "dword", "0");
        await Samba.RegistryAsync("setsd_sddl", @"HKLM\" + DeniedServerPolicy, "O:SYG:SYD:(A;;RPWPCCDCLCRCWOWDSDSW;;;SY)");
    }

    public async Task DisposeAsync() => await Samba.DisposeAsync();
}

/// <summary><c>audit --remote</c> against real Samba winreg: results as seeded, the same as auditing the saved .reg
/// offline, every value equal to what impacket's rrp module and <c>net rpc registry</c> read, and errors (never "not
/// configured") for what cannot be read.</summary>
public sealed class AuditRemoteSambaTests(RemoteAuditSamba fixture) : IClassFixture<RemoteAuditSamba>, IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "smbsign-remote-" + Guid.NewGuid().ToString("N"));

    private static Dictionary<string, string> Environment => new() { [PasswordInput.Variable] = SambaServer.Password };

    private string Target => "127.0.0.1:" + fixture.Samba.Port.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    [Fact]
    public async Task Remote_SeededRegistry_ResultsAsSeeded_SameAsSavedRegReplayed()
    {
        string save = Path.Combine(_temp, "saved");
        CliRun run = await CliHarness.RunAsync(["audit", "--remote", Target, "-u", fixture.Samba.User, "--os", "server2025", "--format", "json", "--save", save], Environment);

        // The Policies\LanmanServer key cannot be read: an unreadable source makes the run exit 2.
        Assert.True(run.ExitCode == ExitCodes.UsageOrInput, run.Error + run.Output);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement machine = Assert.Single(doc.RootElement.GetProperty("machines").EnumerateArray());
        Assert.Equal(Target, machine.GetProperty("name").GetString());
        Assert.Equal(RulePackLoader.RoleToken(OsRole.MemberServer), machine.GetProperty("role").GetString()); // ProductType ServerNT
        Dictionary<string, JsonElement> results = machine.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("setting").GetString()!, r => r);

        JsonElement require = results["client.RequireSecuritySignature"];
        Assert.Equal("fail", require.GetProperty("status").GetString());
        Assert.Equal($@"winreg://{Target}/HKLM\{RemoteAuditSamba.Workstation}\RequireSecuritySignature", require.GetProperty("source").GetString());

        // The Policies value (1) overrides the compliant service value (0).
        JsonElement guest = results["client.AllowInsecureGuestAuth"];
        Assert.Equal("fail", guest.GetProperty("status").GetString());
        Assert.Equal($@"winreg://{Target}/HKLM\{RemoteAuditSamba.WorkstationPolicy}\AllowInsecureGuestAuth", guest.GetProperty("source").GetString());
        JsonElement enable = results["client.EnableSecuritySignature"];
        Assert.Equal("pass", enable.GetProperty("status").GetString());
        Assert.Equal($@"winreg://{Target}/HKLM\{RemoteAuditSamba.Workstation}\EnableSecuritySignature", enable.GetProperty("source").GetString());

        // Every setting with a location in the unreadable key is an error, never not-configured, even where the
        // service key was read (the unreadable Policies value would win). An unreadable key also means no setting of
        // the machine may be called not configured: those are errors too (the engine's rule for unreadable sources).
        SettingsCatalog catalog = SettingsCatalog.Default;
        int errors = 0;
        foreach ((string setting, JsonElement result) in results)
        {
            bool blocked = catalog[setting].AllRegistryLocations.Any(l => RegistryPath.KeysEqual(l.Key, RemoteAuditSamba.DeniedServerPolicy));
            string status = result.GetProperty("status").GetString()!;
            Assert.NotEqual("not-configured", status);
            if (blocked && status != "not-applicable")
            {
                Assert.True(status == "error", $"{setting}: {status}");
                errors++;
            }
        }

        // A setting read from a key that was readable, with no location in the unreadable one, is still decided.
        Assert.Equal("pass", results["server.RequireSecuritySignature"].GetProperty("status").GetString());

        Assert.True(errors > 0);
        Assert.Contains("ERROR_ACCESS_DENIED", run.Error, StringComparison.Ordinal);

        // The saved .reg audited offline gives the same verdict for every setting that was readable.
        string[] saved = Directory.GetFiles(save, "*.reg");
        Assert.Single(saved);
        Assert.True(File.Exists(Path.Combine(save, "machines.json")));
        Assert.Equal([0xFF, 0xFE], File.ReadAllBytes(saved[0])[..2]); // UTF-16LE with BOM, as regedit writes
        CliRun replay = await CliHarness.RunAsync(["audit", saved[0], "--os", "server2025", "--role", "member", "--format", "json"]);
        using JsonDocument replayDoc = JsonDocument.Parse(replay.Output);
        JsonElement replayed = Assert.Single(replayDoc.RootElement.GetProperty("machines").EnumerateArray());
        foreach (JsonElement result in replayed.GetProperty("results").EnumerateArray())
        {
            JsonElement remote = results[result.GetProperty("setting").GetString()!];
            if (remote.GetProperty("status").GetString() != "error")
            {
                Assert.Equal(remote.GetProperty("status").GetString(), result.GetProperty("status").GetString());
                Assert.Equal(remote.GetProperty("stored").ToString(), result.GetProperty("stored").ToString());
            }
        }
    }

    [Fact]
    public async Task Remote_EveryValueRead_EqualsImpacketAndNetRpcRegistry()
    {
        IReadOnlyList<RemoteKeyQuery> query = AuditRemote.BuildQuery(SettingsCatalog.Default);
        var reader = new RemoteRegistryReader(TimeProvider.System);
        var options = new SmbClientOptions { Host = SambaServer.Host, Port = fixture.Samba.Port, User = fixture.Samba.User };
        RemoteRegistryResult result = await reader.ReadAsync(options, SambaServer.Password, query, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(result.Error is null, result.Error?.Message);
        Assert.NotEmpty(result.Values);

        // impacket: one rrp session reading every key of the query.
        (int code, string output) = await ProcessRunner.RunAsync(
            "/usr/bin/python3",
            [Path.Combine(AppContext.BaseDirectory, "TestData", "impacket-rrp-read.py"), SambaServer.Host, fixture.Samba.Port.ToString(CultureInfo.InvariantCulture), fixture.Samba.User, .. query.Select(q => q.Key)],
            SambaServer.Password + "\n",
            TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output);
        using JsonDocument impacket = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        int compared = 0;
        foreach (RemoteKeyQuery key in query)
        {
            JsonElement theirs = impacket.RootElement.GetProperty(key.Key);
            if (result.MissingKeys.Contains(key.Key))
            {
                Assert.True(theirs.ValueKind == JsonValueKind.Null, $"{key.Key}: missing for SmbSign, impacket read {theirs}");
                continue;
            }

            if (result.Problems.Any(p => p.Key == key.Key))
            {
                Assert.Equal("denied", theirs.GetString());
                continue;
            }

            RemoteRegistryEntry[] ours = [.. result.Values.Where(v => v.Key == key.Key)];
            string[] expectedNames = [.. theirs.EnumerateObject().Select(p => p.Name).Where(n => key.AllValues || key.ValueNames.Contains(n, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];
            Assert.Equal(expectedNames, ours.Select(v => v.ValueName).Order(StringComparer.Ordinal));
            foreach (RemoteRegistryEntry value in ours)
            {
                JsonElement pair = theirs.GetProperty(value.ValueName);
                Assert.Equal(pair[0].GetUInt32(), value.Type);
                Assert.Equal(pair[1].GetString(), Display(value));
                compared++;
            }

            // Samba's own client, for every key that holds values.
            if (ours.Length > 0)
            {
                Dictionary<string, (string Type, string Value)> net = await NetRpcEnumerateAsync(key.Key);
                foreach (RemoteRegistryEntry value in ours)
                {
                    Assert.True(net.TryGetValue(value.ValueName, out var seen), $"net rpc registry enumerate HKLM\\{key.Key} lacks {value.ValueName}");
                    Assert.Equal(seen.Type, ((RegistryValueType)value.Type).ToRegName());
                    Assert.Equal(seen.Value, value.Type is 1 or 2 ? "\"" + Display(value) + "\"" : Display(value));
                }
            }
        }

        Assert.True(compared >= 7, $"only {compared} values compared");
    }

    [Fact]
    public async Task Remote_WrongPassword_ErrorForEveryRule_Exit2_PasswordNotShown()
    {
        CliRun run = await CliHarness.RunAsync(["audit", "--remote", Target, "-u", fixture.Samba.User, "--os", "server2022", "--format", "json"], new Dictionary<string, string> { [PasswordInput.Variable] = "Not-The-Password-42" });

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("logon failure", run.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Not-The-Password-42", run.Output + run.Error, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement machine = Assert.Single(doc.RootElement.GetProperty("machines").EnumerateArray());
        Assert.All(machine.GetProperty("results").EnumerateArray(), r => Assert.True(r.GetProperty("status").GetString() is "error" or "not-applicable"));
        Assert.Contains(machine.GetProperty("results").EnumerateArray(), r => r.GetProperty("status").GetString() == "error");
    }

    [Fact]
    public async Task Remote_ClosedPortAmongTargets_ThatTargetErrors_OthersAudited()
    {
        int closed;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closed = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        CliRun run = await CliHarness.RunAsync(["audit", "--remote", Target, "127.0.0.1:" + closed.ToString(CultureInfo.InvariantCulture), "-u", fixture.Samba.User, "--os", "server2022", "--timeout", "5000", "--format", "json"], Environment);

        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement[] machines = [.. doc.RootElement.GetProperty("machines").EnumerateArray()];
        Assert.Equal(2, machines.Length);
        Assert.Contains(machines[0].GetProperty("results").EnumerateArray(), r => r.GetProperty("status").GetString() == "pass");
        Assert.DoesNotContain(machines[1].GetProperty("results").EnumerateArray(), r => r.GetProperty("status").GetString() is "pass" or "fail" or "not-configured");
        Assert.Contains("127.0.0.1:" + closed.ToString(CultureInfo.InvariantCulture), run.Error, StringComparison.Ordinal);
    }

    private static string Display(RemoteRegistryEntry value) =>
        RegistryValue.FromRaw((RegistryValueType)value.Type, value.Data, out _).ToDisplayString();

    /// <summary>Values of one key as <c>net rpc registry enumerate</c> prints them (Valuename / Type / Value blocks).</summary>
    private async Task<Dictionary<string, (string Type, string Value)>> NetRpcEnumerateAsync(string key)
    {
        (int code, string output) = await ProcessRunner.RunAsync(
            "net",
            ["rpc", "registry", "enumerate", @"HKLM\" + key, "-I", SambaServer.Host, "-p", fixture.Samba.Port.ToString(CultureInfo.InvariantCulture), "-U", fixture.Samba.User],
            null,
            TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["PASSWD"] = SambaServer.Password });
        Assert.True(code == 0, output);
        var values = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        string? name = null;
        string? type = null;
        foreach (string line in output.Split('\n'))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            string field = line[..eq].Trim();
            string text = line[(eq + 1)..].Trim();
            switch (field)
            {
                case "Valuename":
                    name = text;
                    break;
                case "Type":
                    type = text;
                    break;
                case "Value" when name is not null && type is not null:
                    values[name] = (type, text);
                    name = type = null;
                    break;
            }
        }

        return values;
    }
}
