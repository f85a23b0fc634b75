using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using SharpFuzz;
using SmbSign.Fuzz;
using SmbSign.Protocol;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Capture;
using SmbSign.Capture.Smb;

// SmbSign fuzz harness (driven by bench/fuzz.sh):
//   list                         target names and what each parses
//   run TARGET                   AFL++ persistent mode through SharpFuzz (the assemblies must be instrumented)
//   seeds TARGET REPO OUTDIR     writes the target's seed corpus from the repository's test data
//   replay TARGET PATH...        runs files (or folders of files) once each: time, allocation, verdict

// Instrumented assemblies write every branch to SharpFuzz's bitmap; until SharpFuzz attaches AFL's shared memory (and
// in the seeds and replay commands, which run without AFL) they write to this scratch one.
Scratch.Attach();
return args switch
{
    ["list"] => List(),
    ["run", string name] => RunAfl(Target(name)),
    ["seeds", string name, string repo, string output] => Seeds.Write(Target(name), repo, output),
    ["replay", string name, .. string[] paths] when paths.Length > 0 => Replay(Target(name), paths),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: SmbSign.Fuzz list | run TARGET | seeds TARGET REPO OUTDIR | replay TARGET PATH...");
    return 2;
}

static FuzzTarget Target(string name) =>
    FuzzTargets.Find(name) ?? throw new ArgumentException($"unknown fuzz target '{name}'; known: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");

static int List()
{
    foreach (FuzzTarget target in FuzzTargets.All)
    {
        Console.WriteLine($"{target.Name,-10} {target.Description}");
    }

    return 0;
}

static int RunAfl(FuzzTarget target)
{
    // SharpFuzz restarts the .NET child after every crash or hang, and a cold child spends over a second loading the
    // settings catalog and JIT-compiling the parsers: the next input would then count as a hang too. So the process
    // warms up first on the seed corpus (SMBSIGN_FUZZ_WARMUP), with the instrumentation writing to a scratch bitmap
    // until SharpFuzz attaches AFL's shared memory.
    target.Run([]);
    if (Environment.GetEnvironmentVariable("SMBSIGN_FUZZ_WARMUP") is { Length: > 0 } warmup && Directory.Exists(warmup))
    {
        foreach (string file in Directory.GetFiles(warmup))
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A crashing seed is AFL's to report (it refuses to start); warming up only has to run the code.
            }
        }
    }

    SharpFuzz.Common.Trace.PrevLocation = 0;

    // One process serves many inputs (AFL persistent mode). Both limits are checked here and turned into a crash AFL
    // records: more than 1 s of this thread's CPU for one input (AFL's wall-clock -t is set far higher, because the
    // SharpFuzz child's start-up counts against the first input and the machine is shared), and more than 64 MB
    // allocated (AFL's -m cannot bound a .NET process, which reserves far more address space than it uses). An
    // input that never returns is still AFL's hang.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        long allocated = FuzzTargets.RunMeasured(target, buffer.ToArray(), out TimeSpan cpu);
        if (allocated > FuzzTargets.AllocationLimit)
        {
            throw new InsufficientMemoryException(string.Create(CultureInfo.InvariantCulture, $"input allocated {allocated} bytes (limit {FuzzTargets.AllocationLimit})"));
        }

        if (cpu > FuzzTargets.TimeLimit)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"input took {cpu.TotalMilliseconds:F0} ms of CPU (limit {FuzzTargets.TimeLimit.TotalMilliseconds:F0} ms)"));
        }
    });
    return 0;
}

static int Replay(FuzzTarget target, string[] paths)
{
    int findings = 0;

    string[] files = [.. paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p])];

    // The first run of a code path loads the settings catalog and JIT-compiles the parser; that is not the input's
    // time. So every file runs once untimed first (a crash there is reported by the timed run).
    foreach (string file in files)
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
    }

    foreach (string file in files)
    {
        byte[] input = File.ReadAllBytes(file);
        var clock = Stopwatch.StartNew();
        string verdict;
        try
        {
            long allocated = FuzzTargets.RunMeasured(target, input, out TimeSpan cpu);
            clock.Stop();
            verdict = allocated > FuzzTargets.AllocationLimit ? $"ALLOCATION {allocated} bytes"
                : cpu > FuzzTargets.TimeLimit ? "HANG"
                : "ok";
            verdict += string.Create(CultureInfo.InvariantCulture, $" ({cpu.TotalMilliseconds:F1} ms CPU, {clock.Elapsed.TotalMilliseconds:F1} ms wall, {allocated / 1024.0 / 1024.0:F1} MB)");
        }
        catch (Exception e)
        {
            verdict = $"CRASH {e.GetType().FullName}: {e.Message}\n{e.StackTrace}";
        }

        if (!verdict.StartsWith("ok", StringComparison.Ordinal))
        {
            findings++;
        }

        Console.WriteLine($"{file}: {verdict}");
    }

    return findings == 0 ? 0 : 1;
}

/// <summary>Seed corpora from the repository's test data: small files named by the target, plus SMB messages, security
/// tokens and TCP segment scripts cut out of the recorded captures for the protocol targets.</summary>
internal static class Seeds
{
    private const int MaxSeedSize = 64 * 1024;
    private const int MaxSeedsPerTarget = 48;
    private const string Captures = "tests/SmbSign.Capture.Tests/TestData/captures";

    public static int Write(FuzzTarget target, string repo, string output)
    {
        Directory.CreateDirectory(output);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int count = 0;
        void Add(ReadOnlySpan<byte> seed)
        {
            if (count >= MaxSeedsPerTarget || seed.Length == 0 || seed.Length > MaxSeedSize)
            {
                return;
            }

            string hash = Convert.ToHexStringLower(SHA256.HashData(seed))[..16];
            if (seen.Add(hash))
            {
                File.WriteAllBytes(Path.Combine(output, $"seed-{hash}"), seed.ToArray());
                count++;
            }
        }

        foreach (string path in target.SeedPaths)
        {
            foreach (string file in Expand(Path.Combine(repo, path)))
            {
                if (target.Name is "pcap" or "pcapng")
                {
                    Add(Captured.Rewrite(File.ReadAllBytes(file), pcapng: target.Name == "pcapng"));
                }
                else
                {
                    Add(File.ReadAllBytes(file));
                }
            }
        }

        foreach (string capture in Expand(Path.Combine(repo, Captures)).Where(f => f.EndsWith(".pcapng", StringComparison.Ordinal)))
        {
            foreach (byte[] seed in Captured.SeedsFor(target.Name, File.ReadAllBytes(capture)))
            {
                Add(seed);
            }
        }

        if (target.Name == "scanjson")
        {
            // The shapes 'fix --scan' accepts, as 'smbsign scan --format json|jsonl' writes them (docs/cli/scan.md).
            const string Row = "{\"target\":\"127.0.0.1\",\"port\":445,\"reachable\":true,\"smb1\":{\"enabled\":true,\"signing\":\"enabled\"},\"smb2\":{\"enabled\":true,\"dialect\":\"3.1.1\",\"dialects\":[\"2.0.2\",\"3.1.1\"],\"signing\":\"required\",\"signingAlgorithm\":\"AES-GMAC\"},\"relayTarget\":false,\"error\":null}";
            const string Down = "{\"target\":\"10.0.0.9\",\"port\":445,\"reachable\":false,\"smb1\":null,\"smb2\":null,\"error\":{\"kind\":\"timeout\",\"message\":\"no answer\"}}";
            Add(System.Text.Encoding.UTF8.GetBytes($"[{Row},{Down}]"));
            Add(System.Text.Encoding.UTF8.GetBytes($"{Row}\n{Down}\n"));
            Add(System.Text.Encoding.UTF8.GetBytes($"{{\"results\":[{Row}]}}"));
        }

        if (target.Name == "rpc")
        {
            // Responses as a server frames them: the request writer's PDUs with the type byte set to response (2) — the
            // two headers have the same size — around an OpenKey-shaped stub (handle + status), whole and in fragments.
            byte[] stub = new byte[24];
            foreach (int fragment in new[] { 4280, 40 })
            {
                byte[] pdus = [.. SmbSign.Protocol.Rpc.RpcRequest.Write(stub, contextId: 0, opnum: 2, callId: 1, maxTransmitFragment: fragment).SelectMany(pdu =>
                {
                    pdu[2] = 2;
                    return pdu;
                })];
                Add(pdus);
            }
        }

        Console.WriteLine($"{target.Name}: {count} seeds in {output}");
        return count > 0 ? 0 : 1;
    }

    private static IEnumerable<string> Expand(string path)
    {
        string? directory = Path.GetDirectoryName(path);
        string name = Path.GetFileName(path);
        if (name.Contains('*', StringComparison.Ordinal) && directory is not null && Directory.Exists(directory))
        {
            return Directory.GetFiles(directory, name).Order(StringComparer.Ordinal);
        }

        if (Directory.Exists(path))
        {
            return Directory.GetFiles(path, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.Ordinal) && !f.EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        }

        return File.Exists(path) ? [path] : [];
    }
}

/// <summary>Cuts seeds out of a recorded capture.</summary>
internal static class Captured
{
    private const int ScriptPackets = 24;

    public static IEnumerable<byte[]> SeedsFor(string target, byte[] capture) => target switch
    {
        "smb2" => Messages(capture).Where(m => m.Length >= 4 && m[0] == 0xFE),
        "smb1" => Messages(capture).Where(m => m.Length >= 4 && m[0] == 0xFF),
        "spnego" => SecurityBuffers(capture),
        "ntlmssp" => SecurityBuffers(capture).SelectMany(InnerNtlm),
        "krb5" => SecurityBuffers(capture).SelectMany(InnerNtlm).Where(t => SmbSign.Protocol.Kerberos.KerberosMessages.IsKerberosToken(t)),
        "tcp" => [SegmentScript(capture, reverse: false), SegmentScript(capture, reverse: true)],
        _ => [],
    };

    /// <summary>The capture as a pcap (for the pcap target) or unchanged, cut to its first packets so AFL's seeds
    /// stay small.</summary>
    public static byte[] Rewrite(byte[] capture, bool pcapng)
    {
        if (pcapng)
        {
            return FirstPcapngPackets(capture);
        }

        using var input = new MemoryStream(capture, writable: false);
        using var output = new MemoryStream();
        using (CaptureFileReader reader = CaptureFileReader.Open(input))
        {
            using var writer = new SmbSign.Capture.Pcap.PcapFileWriter(output, LinkType.Ethernet, leaveOpen: true);
            int n = 0;
            while (n++ < ScriptPackets && reader.TryReadPacket(out CapturePacket packet))
            {
                writer.WritePacket(packet.TimestampNanoseconds, packet.Data.Span, packet.OriginalLength);
            }
        }

        return output.ToArray();
    }

    /// <summary>The pcapng's blocks up to its <see cref="ScriptPackets"/>th packet block (whole seeds take over a
    /// second per run on a loaded machine, which AFL's dry run counts as a hang).</summary>
    private static byte[] FirstPcapngPackets(byte[] capture)
    {
        bool bigEndian = capture.Length >= 12 && capture[8] == 0x1A;
        int offset = 0;
        int packets = 0;
        while (offset + 12 <= capture.Length && packets < ScriptPackets)
        {
            ReadOnlySpan<byte> header = capture.AsSpan(offset);
            uint type = bigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header);
            int length = (int)(bigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[4..]) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));
            if (length < 12 || offset + length > capture.Length)
            {
                break;
            }

            packets += type is 2 or 3 or 6 ? 1 : 0;
            offset += length;
        }

        return capture[..offset];
    }

    private static List<byte[]> Messages(byte[] capture)
    {
        List<byte[]> messages = [];
        using var stream = new MemoryStream(capture, writable: false);
        using SmbCaptureReader reader = SmbCaptureReader.Open(stream, new SmbCaptureOptions { ExtraServerPorts = [39047, 44675, 42163] });
        while (reader.TryRead(out CaptureItem item))
        {
            if (item.Kind == CaptureItemKind.Message)
            {
                messages.Add(item.Message.Bytes.ToArray());
            }
        }

        return messages;
    }

    private static IEnumerable<byte[]> SecurityBuffers(byte[] capture)
    {
        foreach (byte[] message in Messages(capture))
        {
            ReadOnlyMemory<byte>? buffer = null;
            try
            {
                if (message[0] == 0xFE)
                {
                    Smb2Header header = Smb2Header.Read(message);
                    buffer = (header.Command, header.IsResponse) switch
                    {
                        (Smb2Command.Negotiate, true) => Smb2NegotiateResponse.Parse(message).SecurityBuffer,
                        (Smb2Command.SessionSetup, false) => Smb2SessionSetupRequest.Parse(message).SecurityBuffer,
                        (Smb2Command.SessionSetup, true) => Smb2SessionSetupResponse.Parse(message).SecurityBuffer,
                        _ => null,
                    };
                }
                else if (message[0] == 0xFF && message.Length > 4 && message[4] == 0x73)
                {
                    buffer = Smb1Header.Read(message).IsReply
                        ? SessionSetupAndXResponse.Parse(message).SecurityBlob
                        : SessionSetupAndXRequest.Parse(message).SecurityBlob;
                }
            }
            catch (SmbProtocolException)
            {
            }

            if (buffer is { Length: > 0 } token)
            {
                yield return token.ToArray();
            }
        }
    }

    private static IEnumerable<byte[]> InnerNtlm(byte[] token)
    {
        ReadOnlyMemory<byte>? inner = null;
        try
        {
            inner = NegTokenInit.Decode(token).MechToken;
        }
        catch (SmbProtocolException)
        {
            try
            {
                inner = NegTokenResp.Decode(token).ResponseToken;
            }
            catch (SmbProtocolException)
            {
            }
        }

        return inner is { Length: > 0 } ntlm ? [ntlm.ToArray()] : [];
    }

    /// <summary>The capture's first TCP segments as a <see cref="TcpSegmentScript"/> (server port mapped to 445), in
    /// order or with neighbours swapped (so reordering is in the corpus from the start).</summary>
    private static byte[] SegmentScript(byte[] capture, bool reverse)
    {
        List<byte[]> records = [];
        using var stream = new MemoryStream(capture, writable: false);
        using CaptureFileReader reader = CaptureFileReader.Open(stream);
        ushort? clientPort = null;
        while (records.Count < ScriptPackets && reader.TryReadPacket(out CapturePacket packet))
        {
            ReadOnlySpan<byte> frame = packet.Data.Span;
            if (SmbSign.Capture.Link.LinkLayer.TryGetNetworkPayload(packet.LinkType, frame, out int offset, out var protocol) != SmbSign.Capture.Link.DecodeStatus.Ok
                || SmbSign.Capture.Ip.IpLayer.TryDecode(protocol, frame[offset..], out var ip) != SmbSign.Capture.Link.DecodeStatus.Ok
                || ip.Protocol != SmbSign.Capture.Ip.IpLayer.ProtocolTcp)
            {
                continue;
            }

            ReadOnlySpan<byte> segment = frame.Slice(offset + ip.PayloadOffset, ip.CapturedPayloadLength);
            if (SmbSign.Capture.Tcp.TcpHeader.TryRead(segment, out var tcp) != SmbSign.Capture.Link.DecodeStatus.Ok)
            {
                continue;
            }

            // The first SYN's source is the client.
            clientPort ??= tcp.SourcePort;
            bool fromServer = tcp.SourcePort != clientPort;
            ReadOnlySpan<byte> payload = segment[tcp.HeaderLength..];
            byte[] record = new byte[TcpSegmentScript.RecordHeaderSize + payload.Length];
            TcpSegmentScript.WriteRecordHeader(record, (byte)tcp.Flags, fromServer ? (byte)1 : (byte)0, tcp.Sequence, tcp.Acknowledgment, payload.Length);
            payload.CopyTo(record.AsSpan(TcpSegmentScript.RecordHeaderSize));
            records.Add(record);
        }

        if (reverse)
        {
            for (int i = 4; i + 1 < records.Count; i += 2)
            {
                (records[i], records[i + 1]) = (records[i + 1], records[i]);
            }
        }

        return [.. records.SelectMany(r => r)];
    }
}

internal static class Scratch
{
    public static unsafe void Attach() =>
        SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
}
