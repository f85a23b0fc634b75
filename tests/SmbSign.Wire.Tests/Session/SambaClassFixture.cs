using SmbSign.Testing;

namespace SmbSign.Wire.Tests.Session;

/// <summary>One Samba server with mandatory signing and the default dialect range (SMB2_02..SMB3_11), shared by a test class.</summary>
public sealed class MandatorySigningSamba : IAsyncLifetime
{
    public SambaServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SambaServer.StartAsync(new SambaServerOptions { ServerSigning = "mandatory" });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Helpers shared by the session tests.</summary>
internal static class SessionTestHelpers
{
    public static SmbSign.Wire.Session.SmbClientOptions Options(SambaServer server, int? port = null) => new()
    {
        Host = SambaServer.Host,
        Port = port ?? server.Port,
        Share = SambaServer.ShareName,
        User = server.User,
        ReadPath = SambaServer.FileName,
        Timeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>A deterministic random source so failures reproduce.</summary>
    public static Action<Span<byte>> SeededRandom(int seed)
    {
        var random = new Random(seed);
        return bytes => random.NextBytes(bytes);
    }

    /// <summary>Everything a reader of a failed assertion needs: verdict, error and the message log.</summary>
    public static string Describe(SmbSign.Wire.Session.VerificationReport report, SambaServer? server = null) =>
        $"enforced={report.Enforced} reason={report.Reason} error={report.Error}\n" +
        string.Join('\n', report.Messages.Select(m => $"  {m.Direction} {m.Command} mid={m.MessageId} status=0x{m.Status:X8} signed={m.Signed} verified={m.Verified} must={m.MustBeSigned} {m.Note}")) +
        (server is null ? string.Empty : "\nsmbd log:\n" + server.Log[Math.Max(0, server.Log.Length - 4000)..]);
}
