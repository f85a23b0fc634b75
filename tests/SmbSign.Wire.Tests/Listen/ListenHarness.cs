using System.Globalization;
using System.Net;
using SmbSign.Testing;
using SmbSign.Wire.Listen;

namespace SmbSign.Wire.Tests.Listen;

/// <summary>Runs one real client against a fresh <see cref="ListenServer"/> on 127.0.0.1 (a free high port) and returns
/// the listener's report of that connection with the client's exit code and output.</summary>
internal static class ListenHarness
{
    public const string User = "probeuser";
    public const string Password = "Listen-Pa55!";

    public static ListenOptions Options(ListenTestMode mode, bool withUser = true) => new()
    {
        Address = IPAddress.Loopback,
        Port = 0,
        Mode = mode,
        User = withUser ? User : null,
        ConnectionDeadline = TimeSpan.FromSeconds(20),
        IdleTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Starts a listener, runs <paramref name="client"/> with its port, and returns the first report.</summary>
    public static async Task<(ListenClientReport Report, int ExitCode, string Output)> RunAsync(
        ListenOptions options, Func<int, Task<(int ExitCode, string Output)>> client)
    {
        await using ListenServer server = ListenServer.Start(options, options.User is null ? null : Password);
        (int exitCode, string output) = await client(server.LocalEndPoint.Port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        ListenClientReport report = await server.Reports.ReadAsync(timeout.Token);
        return (report, exitCode, output);
    }

    /// <summary>smbclient with the password in an authentication file (-A), never on the command line.</summary>
    public static async Task<(int ExitCode, string Output)> SmbClientAsync(
        int port, string protocol, string signing, string command = "get probe.txt -", bool withPassword = true, IReadOnlyList<string>? extraOptions = null)
    {
        string smbclient = ToolLocator.Require("smbclient", "smbclient");
        string authFile = Path.Combine(Path.GetTempPath(), $"smbsign-listen-{Guid.NewGuid():N}.auth");
        await File.WriteAllTextAsync(authFile, $"username = {User}\npassword = {(withPassword ? Password : "not-the-password")}\ndomain = WORKGROUP\n");
        try
        {
            var arguments = new List<string>
            {
                "-s", "/dev/null",
                "//127.0.0.1/probe",
                "-p", port.ToString(CultureInfo.InvariantCulture),
                "-A", authFile,
                "-m", protocol,
                $"--option=client min protocol={protocol}",
                $"--option=client signing={signing}",
                $"--option=client ipc signing={signing}",
            };
            foreach (string option in extraOptions ?? [])
            {
                arguments.Add($"--option={option}");
            }

            arguments.Add("-c");
            arguments.Add(command);
            return await ProcessRunner.RunAsync(smbclient, arguments, null, TimeSpan.FromSeconds(30));
        }
        finally
        {
            File.Delete(authFile);
        }
    }
}
