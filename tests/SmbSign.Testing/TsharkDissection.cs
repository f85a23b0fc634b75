using System.Globalization;

namespace SmbSign.Testing;

/// <summary>One frame as tshark dissects it: the SMB2 commands in it (one per compound member or PDU) and their SIGNED flags.</summary>
public sealed record TsharkSmb2Frame(long FrameNumber, IReadOnlyList<int> Commands, IReadOnlyList<bool> Signed);

/// <summary>One SMB1 message as tshark dissects it: its (first) command and the SECURITY_SIGNATURE Flags2 bit.</summary>
public sealed record TsharkSmb1Frame(long FrameNumber, int Command, bool SignatureFlag);

/// <summary>Wireshark's own view of a capture, for comparing SmbSign's reader frame by frame.</summary>
public static class TsharkDissection
{
    /// <summary>Runs <c>tshark -r FILE -Y smb2 -T fields -e frame.number -e smb2.cmd -e smb2.flags.signature</c>, decoding
    /// <paramref name="smbPort"/> as NetBIOS session service (SMB over TCP) when it is not 445/139.</summary>
    public static async Task<IReadOnlyList<TsharkSmb2Frame>> ReadSmb2Async(string capture, int? smbPort = null, CancellationToken cancellationToken = default)
    {
        string tshark = ToolLocator.Require("tshark", "tshark");
        var arguments = new List<string> { "-n", "-r", capture };
        if (smbPort is { } port and not 445 and not 139)
        {
            arguments.Add("-d");
            arguments.Add($"tcp.port=={port.ToString(CultureInfo.InvariantCulture)},nbss");
        }

        arguments.AddRange(["-Y", "smb2", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "smb2.cmd", "-e", "smb2.flags.signature"]);
        (int code, string output) = await ProcessRunner.RunAsync(tshark, arguments, null, TimeSpan.FromSeconds(120), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"tshark failed ({code}): {output}");
        }

        var frames = new List<TsharkSmb2Frame>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split('\t');
            if (fields.Length < 3 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long frame))
            {
                continue; // tshark's own notices (e.g. running as root) share the output
            }

            int[] commands = fields[1].Length == 0 ? [] : Array.ConvertAll(fields[1].Split(','), c => int.Parse(c, CultureInfo.InvariantCulture));
            bool[] signed = fields[2].Length == 0 ? [] : Array.ConvertAll(fields[2].Split(','), s => s is "1" or "True" or "true");
            frames.Add(new TsharkSmb2Frame(frame, commands, signed));
        }

        return frames;
    }

    /// <summary>Runs <c>tshark -r FILE -Y smb -T fields -e frame.number -e smb.cmd -e smb.flags2.sec_sig</c> (SMB1).</summary>
    public static async Task<IReadOnlyList<TsharkSmb1Frame>> ReadSmb1Async(string capture, int? smbPort = null, CancellationToken cancellationToken = default)
    {
        string tshark = ToolLocator.Require("tshark", "tshark");
        var arguments = new List<string> { "-n", "-r", capture };
        if (smbPort is { } port and not 445 and not 139)
        {
            arguments.Add("-d");
            arguments.Add($"tcp.port=={port.ToString(CultureInfo.InvariantCulture)},nbss");
        }

        arguments.AddRange(["-Y", "smb", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
            "-e", "frame.number", "-e", "smb.cmd", "-e", "smb.flags2.sec_sig"]);
        (int code, string output) = await ProcessRunner.RunAsync(tshark, arguments, null, TimeSpan.FromSeconds(120), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"tshark failed ({code}): {output}");
        }

        var frames = new List<TsharkSmb1Frame>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split('\t');
            if (fields.Length < 3 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long frame))
            {
                continue;
            }

            int command = Convert.ToInt32(fields[1], 16);
            frames.Add(new TsharkSmb1Frame(frame, command, fields[2] is "1" or "True" or "true"));
        }

        return frames;
    }
}
