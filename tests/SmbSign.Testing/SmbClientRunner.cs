using System.Globalization;

namespace SmbSign.Testing;

/// <summary>How <c>smbclient</c> should connect: protocol bounds and signing, in smb.conf spellings.</summary>
public sealed record SmbClientOptions
{
    /// <summary>Both <c>client min protocol</c> and <c>client max protocol</c> (NT1, SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11), so the session uses exactly this dialect.</summary>
    public string Protocol { get; init; } = "SMB3_11";

    /// <summary><c>client signing</c>: required, if_required, desired, disabled.</summary>
    public string Signing { get; init; } = "required";

    /// <summary>The smbclient command(s) to run, e.g. <c>get hello.txt -</c>.</summary>
    public string Command { get; init; } = $"get {SambaServer.FileName} -";

    /// <summary>Connect to this port instead of the server's (e.g. a <see cref="TamperProxy"/> in front of it).</summary>
    public int? Port { get; init; }

    /// <summary>Any further <c>--option</c> values.</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];
}

/// <summary>Runs the real <c>smbclient</c> against a <see cref="SambaServer"/> with the fixture's user; the password
/// travels in the PASSWD environment variable, never on the command line.</summary>
public static class SmbClientRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(SambaServer server, SmbClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        string smbclient = ToolLocator.Require("smbclient", "smbclient");
        var arguments = new List<string>
        {
            "-s", "/dev/null",
            $"//{SambaServer.Host}/{SambaServer.ShareName}",
            "-p", (options.Port ?? server.Port).ToString(CultureInfo.InvariantCulture),
            "-U", server.User,
            "-m", options.Protocol,
            $"--option=client min protocol={options.Protocol}",
            $"--option=client signing={options.Signing}",
            $"--option=client ipc signing={options.Signing}",
        };
        foreach (string option in options.ExtraOptions)
        {
            arguments.Add($"--option={option}");
        }

        arguments.Add("-c");
        arguments.Add(options.Command);
        return await ProcessRunner.RunAsync(
            smbclient, arguments, null, TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["PASSWD"] = SambaServer.Password },
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
