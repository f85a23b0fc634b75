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

    [Fact]
    public async Task Read_MaxFragment1432_RequestsGoOutInSeveralFragments_SambaAnswersCorrectly()
    {
        // The client caps its own fragments at 1432 (it offers 1432 in the bind; Samba 4.17 answers max_recv_frag 2048,
        // its floor, and the client sends at the smaller of the two), so BaseRegOpenKey of the 1,636-character path (a
        // 3.3 KB stub) goes out as 3 fragments: WRITE (1432, FIRST), WRITE (1432), then the last (532, LAST) in
        // FSCTL_PIPE_TRANSCEIVE — as tshark's dcerpc dissector shows on a capture, reassembling the path. Samba finds
        // the key (and its value) only if it got the whole path; the same path with its last character changed, which
        // only the last fragment carries, is missing.
        var reader = new RemoteRegistryReader(TimeProvider.System) { RpcLimits = new RpcLimits(MaxFragment: 1432) };
        string otherKey = RemoteRegistrySamba.LongKey[..^1] + "9";
        RemoteKeyQuery[] keys =
        [
            new(RemoteRegistrySamba.LongKey, [RemoteRegistrySamba.LongValueName]),
            new(RemoteRegistrySamba.LongKey, [], AllValues: true),
            new(otherKey, ["Anything"]),
            new(RemoteRegistrySamba.Workstation, ["RequireSecuritySignature"]),
        ];

        RemoteRegistryResult result = await reader.ReadAsync(Options(fixture.Samba), SambaServer.Password, keys, Deadline, CancellationToken.None);

        Assert.True(result.Error is null, result.Error?.Message + "\n" + fixture.Samba.Log[^Math.Min(3000, fixture.Samba.Log.Length)..]);
        Assert.Empty(result.Problems);
        Assert.Equal([otherKey], result.MissingKeys);
        RemoteRegistryEntry[] longValues = [.. result.Values.Where(v => v.Key == RemoteRegistrySamba.LongKey)];
        Assert.Equal(2, longValues.Length); // queried by name, then enumerated
        Assert.All(longValues, v => Assert.True(v.ValueName == RemoteRegistrySamba.LongValueName && v.Type == 4 && v.Data.SequenceEqual(new byte[] { 7, 0, 0, 0 }), $"{v.ValueName.Length}-character name, type {v.Type}"));
        AssertValue(result, RemoteRegistrySamba.Workstation, "RequireSecuritySignature", 4, [1, 0, 0, 0]);

        // Three BaseRegOpenKey of long paths, two leading fragments each: at least 6 pipe WRITEs, each answered with
        // success and a verified signature.
        MessageRecord[] writes = [.. result.Session.Messages.Where(m => m.Command == "WRITE" && m.Direction == MessageDirection.Response)];
        Assert.True(writes.Length >= 6, $"{writes.Length} WRITE responses");
        Assert.All(writes, m => Assert.True(m.Verified == true && m.Status == 0));
        Assert.Empty(result.Session.Failures);
    }

    private static void AssertValue(RemoteRegistryResult result, string key, string name, uint type, byte[] data)
    {
        RemoteRegistryEntry entry = Assert.Single(result.Values, v => v.Key == key && v.ValueName == name);
        Assert.Equal(type, entry.Type);
        Assert.Equal(data, entry.Data);
    }
}
