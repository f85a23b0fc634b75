using System.Buffers.Binary;
using SmbSign.Cli;
using SmbSign.Cli.Rendering;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Formats.Intune;
using SmbSign.Policy.Formats.NsmbConf;
using SmbSign.Policy.Formats.PowerShellJson;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;
using SmbSign.Protocol;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Kerberos;
using SmbSign.Protocol.Rpc;
using SmbSign.Protocol.Rpc.Rrp;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Capture;
using SmbSign.Capture.Analysis;
using SmbSign.Capture.Smb;

namespace SmbSign.Fuzz;

/// <summary>One fuzz target: a parser of untrusted bytes run the way the product runs it. <see cref="Run"/> returns
/// normally for any input the parser accepts or rejects through its documented bad-input channel (an exception type
/// named in its contract, or diagnostics in a result); every other exception escapes and is a crash.</summary>
/// <param name="Name">Short name used by <c>bench/fuzz.sh</c> and the regression folder.</param>
/// <param name="Description">What is parsed and what counts as a documented rejection.</param>
/// <param name="SeedPaths">Repository-relative files or folders whose small files seed the corpus (the protocol
/// targets also get messages cut out of the recorded captures, see <c>SeedExtractor</c>).</param>
/// <param name="Run">The target logic.</param>
internal sealed record FuzzTarget(string Name, string Description, string[] SeedPaths, Action<byte[]> Run);

/// <summary>Every fuzz target. Shared by the AFL harness (bench/SmbSign.Fuzz) and the regression replay test, so a
/// saved crash input is replayed through exactly the logic that found it.</summary>
internal static class FuzzTargets
{
    /// <summary>An input that takes longer than this is a hang (AFL's <c>-t 1000</c>).</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(1);

    /// <summary>An input whose run allocates more than this on its thread is a finding.</summary>
    public const long AllocationLimit = 64L * 1024 * 1024;

    /// <summary>The recorded captures' SMB server ports (random high ports; see their README) and the password of the
    /// Samba fixture that recorded them, so capture targets also exercise NTLM key recovery and signature checks.</summary>
    private static readonly int[] s_capturePorts = [39047, 44675, 42163];
    private const string CaptureUser = "smbsigntest";
    private const string CapturePassword = "SmbSign-Test-1!";

    private const string CaptureSeeds = "tests/SmbSign.Capture.Tests/TestData/captures";

    /// <summary>The recorded Kerberos capture's server keytab (a throwaway domain; see the captures' README).</summary>
    private const string KerberosKeytab = CaptureSeeds + "/smb3-kerberos-cifs.keytab";

    private static readonly Lazy<IReadOnlyList<KeytabEntry>> s_keytab = new(() =>
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, KerberosKeytab)))
        {
            directory = Path.GetDirectoryName(directory);
        }

        // Outside the repository (a copied harness) the recovery step runs with no keys and stops at "no key".
        return directory is null ? [] : SmbSign.Protocol.Kerberos.Keytab.Parse(File.ReadAllBytes(Path.Combine(directory, KerberosKeytab)));
    });

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("pcap", "capture pipeline on a pcap file (link, IP, TCP reassembly, SMB extraction, session analysis); CaptureFormatException is the documented rejection", [CaptureSeeds], Capture),
        new("pcapng", "capture pipeline on a pcapng file (same pipeline, pcapng blocks); CaptureFormatException is the documented rejection", [CaptureSeeds], Capture),
        new("tcp", "TCP reassembly and SMB stream extraction on a script of segments (see TcpSegmentScript); no exception is documented", [], TcpSegmentScript.Run),
        new("smb2", "SMB2 header, NEGOTIATE and SESSION_SETUP requests and responses, error responses; SmbProtocolException is the documented rejection", [], Smb2),
        new("smb1", "SMB1 header, NEGOTIATE and SESSION_SETUP_ANDX requests and responses; SmbProtocolException is the documented rejection", [], Smb1),
        new("ntlmssp", "NTLMSSP NEGOTIATE, CHALLENGE (with AV pairs) and AUTHENTICATE messages; SmbProtocolException is the documented rejection", [], Ntlmssp),
        new("spnego", "SPNEGO NegTokenInit and NegTokenResp (and the NTLMSSP token inside); SmbProtocolException is the documented rejection", [], Spnego),
        new("rpc", "DCE/RPC bind_ack, response reassembly (the input cut into PDUs by their own frag_length, call id from the first) and the MS-RRP response parsers on the stub and on the raw input (what a hostile winreg server sends audit --remote); SmbProtocolException and RpcFaultException are the documented rejections", [], Rpc),
        new("keytab", "MIT keytab reader (capture --keytab); SmbProtocolException is the documented rejection", [KerberosKeytab], Keytab),
        new("krb5", "GSS-API Kerberos tokens: AP-REQ (ticket, authenticator) and AP-REP, then session key recovery with the recorded DC's keytab, and the decrypted-part decoders (EncTicketPart, Authenticator, EncAPRepPart) on the raw input; SmbProtocolException is the documented rejection", [], Krb5),
        new("reg", ".reg export reader, then snapshot and audit; readers report bad content as diagnostics and never throw", ["tests/SmbSign.Policy.Tests/TestData/Reg", "samples/fleet/*.reg"], bytes => Source(new RegFileReader(), bytes, "fuzz.reg")),
        new("inf", "security template (GptTmpl.inf, secedit export) reader, then snapshot and audit; never throws", ["tests/SmbSign.Policy.Tests/TestData/SecurityTemplate", "samples/fleet/*.inf"], bytes => Source(new SecurityTemplateReader(), bytes, "GptTmpl.inf")),
        new("pol", "Registry.pol (PReg) reader, then snapshot and audit; never throws", ["samples/fleet/*.pol", "tests/SmbSign.Policy.Tests/TestData/gpo-samba/Machine/Registry.pol"], bytes => Source(new RegistryPolReader(), bytes, "Registry.pol")),
        new("psjson", "Get-SmbClientConfiguration / Get-SmbServerConfiguration JSON reader, then snapshot and audit; never throws", ["tests/SmbSign.Policy.Tests/TestData/PowerShell", "samples/fleet/*.smbclient.json", "samples/fleet/*.smbserver.json", "samples/fleet/*.smbconfig.json"], bytes => Source(new SmbConfigurationJsonReader(), bytes, "fuzz.smbconfig.json")),
        new("intune", "Intune (Graph) policy JSON reader, then snapshot and audit; never throws", ["tests/SmbSign.Policy.Tests/TestData/Intune", "samples/fleet/*.intune.json"], bytes => Source(new IntunePolicyReader(), bytes, "fuzz.intune.json")),
        new("smbconf", "smb.conf reader, then snapshot and audit; never throws", ["tests/SmbSign.Policy.Tests/TestData/SmbConf", "samples/fleet/*.smb.conf"], bytes => Source(new SmbConfReader(), bytes, SmbConfName)),
        new("nsmbconf", "macOS nsmb.conf reader, then snapshot and audit; never throws", ["tests/SmbSign.Policy.Tests/TestData/NsmbConf"], bytes => Source(new NsmbConfReader(), bytes, "nsmb.conf")),
        new("auditjson", "the audit JSON that 'fix --from' reads, then the remediation plan and its artifacts; RemediationInputException is the documented rejection", ["tests/SmbSign.Policy.Tests/TestData/Remediation"], AuditJson),
        new("scanjson", "the scan JSON/JSON lines that 'fix --scan' reads, then the impact analysis; CliException is the documented rejection", [], ScanJson),
    ];

    /// <summary>smb.conf <c>include =</c> is resolved against the file's folder; a folder that does not exist keeps a
    /// relative include from reading anything.</summary>
    private static string SmbConfName => Path.Combine(Path.GetTempPath(), "smbsign-fuzz-no-such-dir", "smb.conf");

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>Runs <paramref name="target"/> on <paramref name="input"/> and returns the bytes allocated on this
    /// thread (the caller compares with <see cref="AllocationLimit"/>; it is per thread so that tests running in
    /// parallel do not count each other's allocations).</summary>
    public static long RunMeasured(FuzzTarget target, byte[] input) => RunMeasured(target, input, out _);

    /// <summary>As <see cref="RunMeasured(FuzzTarget, byte[])"/>, also giving the CPU time this thread spent (on a
    /// shared, overloaded machine wall time measures the neighbours; CPU time measures the parser).</summary>
    public static long RunMeasured(FuzzTarget target, byte[] input, out TimeSpan cpu)
    {
        TimeSpan cpuBefore = ThreadCpuTime();
        long before = GC.GetAllocatedBytesForCurrentThread();
        target.Run(input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        cpu = ThreadCpuTime() - cpuBefore;
        return allocated;
    }

    /// <summary>CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>); zero elsewhere.</summary>
    public static TimeSpan ThreadCpuTime()
    {
        if (!OperatingSystem.IsLinux())
        {
            return TimeSpan.Zero;
        }

        return NativeMethods.ClockGetTime(NativeMethods.ClockThreadCpuTime, out NativeMethods.Timespec time) == 0
            ? TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100))
            : TimeSpan.Zero;
    }

    private static void Capture(byte[] input)
    {
        using CaptureCredentials credentials = CaptureCredentials.FromPassword(CaptureUser, null, CapturePassword);
        var builder = new CaptureSummaryBuilder(credentials);
        builder.BeginSource("fuzz.pcap");
        try
        {
            using var stream = new MemoryStream(input, writable: false);
            CaptureRunResult run = SmbCapturePipeline.Run(stream, builder, new SmbCaptureOptions { ExtraServerPorts = s_capturePorts });
            builder.EndSource(run);
        }
        catch (CaptureFormatException)
        {
            // [documented] the file is not a capture or is malformed; 'capture' reports it with the byte offset.
            return;
        }

        _ = builder.Build();
    }

    private static void Smb2(byte[] input)
    {
        Expect(() => Smb2Header.Read(input));
        _ = Smb2Header.TryRead(input, out _, out _);
        Expect(() => Smb2NegotiateRequest.Parse(input));
        Expect(() => Smb2NegotiateResponse.Parse(input));
        Expect(() => Smb2SessionSetupRequest.Parse(input));
        Expect(() => Smb2SessionSetupResponse.Parse(input));
        Expect(() => SmbSign.Protocol.Smb2.Errors.ErrorResponse.Parse(input));
    }

    private static void Smb1(byte[] input)
    {
        Expect(() => Smb1Header.Read(input));
        _ = Smb1HeaderFields.TryRead(input, out _);
        Expect(() => Smb1NegotiateRequest.Parse(input));
        Expect(() => Smb1NegotiateResponse.Parse(input));
        Expect(() => SessionSetupAndXRequest.Parse(input));
        Expect(() => SessionSetupAndXResponse.Parse(input));
    }

    private static void Ntlmssp(byte[] input)
    {
        Expect(() => NtlmNegotiateMessage.Parse(input));
        Expect(() => NtlmChallengeMessage.Parse(input));
        Expect(() => NtlmAuthenticateMessage.Parse(input));
        Expect(() => NtlmTargetInfo.Parse(input));
    }

    private static void Spnego(byte[] input)
    {
        Expect(() =>
        {
            NegTokenInit init = NegTokenInit.Decode(input);
            _ = init.MechanismNames;
            if (init.MechToken is { } token)
            {
                Ntlmssp(token.ToArray());
            }
        });
        Expect(() =>
        {
            NegTokenResp resp = NegTokenResp.Decode(input);
            if (resp.ResponseToken is { } token)
            {
                Ntlmssp(token.ToArray());
            }
        });
    }

    private static void Rpc(byte[] input)
    {
        ExpectRpc(() => RpcBindAck.Parse(input));
        ExpectRpc(() =>
        {
            uint callId = input.Length >= 16 ? BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan(12)) : 1;
            var assembler = new RpcResponseAssembler(callId, "fuzz", maxReceiveFragment: 4280, maxStubLength: 1 << 20, maxFragments: 64);
            int offset = 0;
            while (input.Length - offset >= 10 && !assembler.IsComplete)
            {
                int length = BinaryPrimitives.ReadUInt16LittleEndian(input.AsSpan(offset + 8));
                if (length == 0 || length > input.Length - offset)
                {
                    break;
                }

                assembler.Add(input.AsSpan(offset, length));
                offset += length;
            }

            if (assembler.IsComplete)
            {
                Rrp(assembler.Stub.ToArray());
            }
        });
        Rrp(input);
    }

    private static void Rrp(byte[] stub)
    {
        ExpectRpc(() => RrpMessages.ParseHandle(stub, "fuzz"));
        ExpectRpc(() => RrpMessages.ParseClose(stub));
        ExpectRpc(() => RrpMessages.ParseQueryValue(stub, maxData: 1 << 16));
        ExpectRpc(() => RrpMessages.ParseEnumValue(stub, maxData: 1 << 16));
        ExpectRpc(() => RrpMessages.ParseEnumKey(stub));
    }

    /// <summary>The RPC layer's two documented rejections: malformed bytes, and a fault the server sent.</summary>
    private static void ExpectRpc(Action parse)
    {
        try
        {
            parse();
        }
        catch (SmbProtocolException)
        {
        }
        catch (RpcFaultException)
        {
        }
    }

    private static void Keytab(byte[] input) => Expect(() =>
    {
        foreach (KeytabEntry entry in SmbSign.Protocol.Kerberos.Keytab.Parse(input))
        {
            _ = entry.ToString();
        }
    });

    private static void Krb5(byte[] input)
    {
        _ = KerberosMessages.IsKerberosToken(input);
        Expect(() => KerberosMessages.Unwrap(input, out _));
        Expect(() =>
        {
            KerberosApReq apReq = KerberosMessages.DecodeApReq(input);
            _ = KerberosSessionKeyRecovery.Recover(apReq, null, s_keytab.Value).ToString();
        });
        Expect(() => KerberosMessages.DecodeApRep(input));
        Expect(() => KerberosMessages.DecodeEncTicketPart(input));
        Expect(() => KerberosMessages.DecodeAuthenticator(input));
        Expect(() => KerberosMessages.DecodeEncApRepPart(input));
    }

    /// <summary>One reader's result through the same snapshot and audit steps as <c>smbsign audit FILE</c>.</summary>
    private static void Source(SourceReader reader, byte[] input, string name)
    {
        SourceReadResult result = reader.Parse(input, name);
        var builder = new SnapshotBuilder();
        builder.Add(result);
        MachineSnapshot snapshot = builder.Build("fuzz");
        var machine = new MachineInput { Name = "fuzz", Paths = [name] };
        _ = FleetAuditor.Evaluate(machine, snapshot, new AuditOptions());
    }

    private static void AuditJson(byte[] input)
    {
        try
        {
            AuditDocument document = AuditDocumentReader.Parse(input, "fuzz-audit.json");
            foreach (RemediationPlan plan in new RemediationPlanner().FromAudit(document, null, strict: false))
            {
                _ = ImpactAnalyzer.Analyze(plan, null, [.. document.Machines.Select(ClientPosture.FromAudit)]);
                if (!plan.IsEmpty)
                {
                    _ = RemediationArtifactBuilder.Build(plan, RemediationTarget.All);
                }
            }
        }
        catch (RemediationInputException)
        {
            // [documented] 'fix' turns it into one "fix: FILE:LINE: ..." line and exit 2.
        }
    }

    private static readonly Lazy<RemediationPlan> s_baselinePlan = new(() =>
        new RemediationPlanner().FromBaseline(BaselineCatalog.Default.Baselines[0]));

    private static void ScanJson(byte[] input)
    {
        try
        {
            IReadOnlyList<ScannedServer> servers = FixScanInput.Parse(input, "fuzz-scan.json");
            _ = ImpactAnalyzer.Analyze(s_baselinePlan.Value, servers, null);
        }
        catch (CliException)
        {
            // [documented] 'fix --scan' prints the message and exits 2.
        }
    }

    /// <summary>Runs a protocol parser; <see cref="SmbProtocolException"/> is its documented rejection of bad bytes.</summary>
    private static void Expect(Action parse)
    {
        try
        {
            parse();
        }
        catch (SmbProtocolException)
        {
        }
    }
}

internal static partial class NativeMethods
{
    public const int ClockThreadCpuTime = 3;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    public static partial int ClockGetTime(int clock, out Timespec time);
}
