using SmbSign.Testing;
using SmbSign.Wire.Rpc;
using SmbSign.Wire.Session;
using SmbClientOptions = SmbSign.Wire.Session.SmbClientOptions;

namespace SmbSign.Wire.Tests.Rpc;

/// <summary>The winreg client against Samba's own MS-RRP server (samba-dcerpcd), over a signed SMB session.</summary>
public sealed class RemoteRegistryReaderInteropTests(RemoteRegistrySamba fixture) : IClassFixture<RemoteRegistrySamba>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    internal static SmbClientOptions Options(SambaServer samba) => new() { Host = SambaServer.Host, Port = samba.Port, User = samba.User, Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Read_SeededValues_TypesAndDataAsSeeded_SessionSigned()
    {
        var reader = new RemoteRegistryReader(TimeProvider.System);
        RemoteKeyQuery[] keys =
        [
            new(RemoteRegistrySamba.Workstation, ["RequireSecuritySignature", "EnableSecuritySignature", "NoSuchValue"]),
            new(RemoteRegistrySamba.Server, ["RequireSecuritySignature", "EnableSecuritySignature"]),
            new(RemoteRegistrySamba.HardenedPaths, [], AllValues: true),
            new(@"SOFTWARE\Policies\Microsoft\Windows\LanmanServer", ["RequireSecuritySignature"]),
        ];

        RemoteRegistryResult result = await reader.ReadAsync(Options(fixture.Samba), SambaServer.Password, keys, Deadline, CancellationToken.None);

        Assert.True(result.Error is null, result.Error?.Message + "\n" + fixture.Samba.Log[^Math.Min(3000, fixture.Samba.Log.Length)..]);
        Assert.Empty(result.Problems);
        Assert.Equal([@"SOFTWARE\Policies\Microsoft\Windows\LanmanServer"], result.MissingKeys);
        Assert.Equal(6, result.Values.Count);
        AssertValue(result, RemoteRegistrySamba.Workstation, "RequireSecuritySignature", 4, [1, 0, 0, 0]);
        AssertValue(result, RemoteRegistrySamba.Server, "RequireSecuritySignature", 4, [0, 0, 0, 0]);
        AssertValue(result, RemoteRegistrySamba.Server, "EnableSecuritySignature", 1, System.Text.Encoding.Unicode.GetBytes("1\0"));
        AssertValue(result, RemoteRegistrySamba.HardenedPaths, @"\\*\SYSVOL", 1, System.Text.Encoding.Unicode.GetBytes("RequireMutualAuthentication=1, RequireIntegrity=1\0"));
        Assert.DoesNotContain(result.Values, v => v.ValueName == "NoSuchValue");

        // Every response after SESSION_SETUP was signed and verified: the values cannot have been altered in transit.
        Assert.True(result.Session.SessionSigningRequired);
        Assert.Empty(result.Session.Failures);
        Assert.Contains(result.Session.Messages, m => m.Command == "IOCTL" && m.Direction == MessageDirection.Response && m.Verified == true);
        Assert.All(result.Session.Messages.Where(m => m.Direction == MessageDirection.Response && m.Status != 0x103 && m.Command is "IOCTL" or "CREATE" or "CLOSE"), m => Assert.True(m.Verified));
    }

    [Fact]
    public async Task Read_KeyOnlySystemMayOpen_AccessDeniedProblem_NotMissing()
    {
        var reader = new RemoteRegistryReader(TimeProvider.System);

        RemoteRegistryResult result = await reader.ReadAsync(Options(fixture.Samba), SambaServer.Password,
            [new(RemoteRegistrySamba.Denied, ["Secret"]), new(RemoteRegistrySamba.Workstation, ["RequireSecuritySignature"])], Deadline, CancellationToken.None);

        Assert.Null(result.Error);
        RemoteReadProblem problem = Assert.Single(result.Problems);
        Assert.Equal(RemoteRegistrySamba.Denied, problem.Key);
        Assert.Contains("ERROR_ACCESS_DENIED", problem.Message, StringComparison.Ordinal);
        Assert.Empty(result.MissingKeys);
        Assert.Single(result.Values); // the next key is still read
    }

    [Fact]
    public async Task Read_WrongPassword_LogonFailure_NoValues()
    {
        var reader = new RemoteRegistryReader(TimeProvider.System);

        RemoteRegistryResult result = await reader.ReadAsync(Options(fixture.Samba), "wrong-password", [new(RemoteRegistrySamba.Workstation, ["RequireSecuritySignature"])], Deadline, CancellationToken.None);

        Assert.Equal(SessionErrorKind.LogonFailure, result.Error?.Kind);
        Assert.Empty(result.Values);
        Assert.DoesNotContain("wrong-password", result.Error!.Message, StringComparison.Ordinal);
    }

    private static void AssertValue(RemoteRegistryResult result, string key, string name, uint type, byte[] data)
    {
        RemoteRegistryEntry entry = Assert.Single(result.Values, v => v.Key == key && v.ValueName == name);
        Assert.Equal(type, entry.Type);
        Assert.Equal(data, entry.Data);
    }
}
