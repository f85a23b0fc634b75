using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Policy.Sources;
using static SmbSign.Policy.Tests.Audit.AuditTestData;

namespace SmbSign.Policy.Tests.Audit;

/// <summary>Inputs built to hurt: one value repeated tens of thousands of times, FIFOs and devices where files are
/// expected, symbolic-link loops, binary data and unsupported encodings under a text format's name, huge values.</summary>
public sealed class HostileInputTests : IDisposable
{
    private const string ClientRequire = "client.RequireSecuritySignature";
    private static readonly string[] s_notTextCodes = ["SMB009", "NSM006", "AUD001"];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "smbsign-hostile-" + Guid.NewGuid().ToString("N"));

    public HostileInputTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>One source setting the client's RequireSecuritySignature <paramref name="n"/> times, in each format that can.</summary>
    public static (string Name, byte[] Content) Repeated(string format, int n) => format switch
    {
        "reg" => ("m.reg", Reg([$"[{Workstation}]", .. Enumerable.Repeat("\"RequireSecuritySignature\"=dword:00000001", n)])),
        "inf" => ("GptTmpl.inf", Inf([.. Enumerable.Repeat(@"MACHINE\System\CurrentControlSet\Services\LanmanWorkstation\Parameters\RequireSecuritySignature=4,1", n)])),
        "smb.conf" => ("m.smb.conf", Utf8("[global]\n" + string.Concat(Enumerable.Repeat("client signing = mandatory\n", n)))),
        "nsmb.conf" => ("nsmb.conf", Utf8("[default]\n" + string.Concat(Enumerable.Repeat("signing_required=yes\n", n)))),
        "json" => ("m.smbclient.json", Utf8("{\"EnableInsecureGuestLogons\": false,\n" + string.Concat(Enumerable.Repeat("\"RequireSecuritySignature\": true,\n", n)) + "\"EnableSecuritySignature\": true}")),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    [Theory]
    [InlineData("reg")]
    [InlineData("inf")]
    [InlineData("smb.conf")]
    [InlineData("nsmb.conf")]
    [InlineData("json")]
    public void RepeatedValue_OverrideHistoryIsBounded(string format)
    {
        const int n = 5_000;
        MachineSnapshot snapshot = Snapshot(Repeated(format, n));

        SnapshotSetting setting = snapshot.Get(ClientRequire)!;
        Assert.NotNull(setting.Winner);
        Assert.Equal(n - 1, setting.OverriddenCount);
        Assert.InRange(setting.Overridden.Count, 1, SnapshotSetting.MaxOverriddenListed);

        // The first overridden value is the first line that set it, and the note says how many there were in all.
        AuditFinding finding = Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.1");
        Assert.Equal(n - 1, finding.OverriddenCount);
        Assert.Contains("overridden 4,999 times", finding.Note, StringComparison.Ordinal);
        Assert.True(finding.Note!.Length < 2_000, $"note is {finding.Note.Length} characters");
        Assert.True(setting.Overridden[0].Location.Line < setting.Overridden[^1].Location.Line);
    }

    [Theory]
    [InlineData("reg")]
    [InlineData("smb.conf")]
    [InlineData("json")]
    public void RepeatedValue_TimeGrowsLinearly(string format)
    {
        // Reference and measurement in the same test, on the same machine: 10 times the repeats must cost far less than
        // the 100 times a quadratic merge costs (the quadratic merge took seconds here). The bound (40 times the reference,
        // which counts as at least 25 ms) leaves room for a loaded machine and tests running alongside; best of five runs.
        const int small = 4_000;
        const int large = 40_000;
        (string name, byte[] smallContent) = Repeated(format, small);
        byte[] largeContent = Repeated(format, large).Content;
        Snapshot((name, smallContent)); // warm-up: JIT and catalog indexes
        double reference = BestOfFive(() => Snapshot((name, smallContent)));
        double measured = BestOfFive(() => Snapshot((name, largeContent)));

        Assert.True(measured < 40 * Math.Max(reference, 25.0), $"{large} repeats took {measured:F1} ms, {small} took {reference:F1} ms");
    }

    [Fact]
    public void Fifo_InAFolder_IsSkippedWithAWarningWithoutBeingOpened()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no FIFOs reachable by path
        }

        Directory.CreateDirectory(Path.Combine(_root, "fleet"));
        File.WriteAllBytes(Path.Combine(_root, "fleet", "ws-01.reg"), Reg($"[{Workstation}]", "\"RequireSecuritySignature\"=dword:00000001"));
        MakeFifo(Path.Combine(_root, "fleet", "ws-02.reg"));
        Directory.CreateDirectory(Path.Combine(_root, "fleet", "fs-01"));
        File.WriteAllBytes(Path.Combine(_root, "fleet", "fs-01", "a.reg"), Reg($"[{Workstation}]"));
        MakeFifo(Path.Combine(_root, "fleet", "fs-01", "b.reg"));

        FleetPlan plan = WithDeadline(() => FleetLayout.Discover([Path.Combine(_root, "fleet")]));

        Assert.Equal(["fs-01", "ws-01"], plan.Machines.Select(m => m.Name));
        Assert.Equal(["a.reg"], plan.Machines[0].Paths.Select(Path.GetFileName));
        Assert.Empty(plan.Problems);
        Assert.Equal(2, plan.Warnings.Count(w => w.Contains("named pipe (FIFO), not a regular file; skipped", StringComparison.Ordinal)));
    }

    [Fact]
    public void Fifo_NamedDirectly_IsAProblemAndReadersRefuseIt()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string fifo = Path.Combine(_root, "x.reg");
        MakeFifo(fifo);

        FleetPlan plan = WithDeadline(() => FleetLayout.Discover([fifo]));
        string problem = Assert.Single(plan.Problems);
        Assert.Contains("named pipe (FIFO), not a regular file or folder", problem, StringComparison.Ordinal);
        Assert.Empty(plan.Machines);

        // Every reader entry point refuses it by kind before opening it (opening would block until a writer came).
        SourceReadResult viaMachine = WithDeadline(() => MachineSourceReader.ReadFile(fifo));
        Assert.Equal("SRC005", Assert.Single(viaMachine.Diagnostics).Code);
        SourceReadResult viaReader = WithDeadline(() => new RegFileReader().Read(fifo));
        Assert.Equal("SRC005", Assert.Single(viaReader.Diagnostics).Code);
    }

    [Fact]
    public void CharacterDevice_IsRefusedBeforeAnyByteIsRead()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        SourceReadResult result = WithDeadline(() => MachineSourceReader.ReadFile("/dev/zero"));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("SRC005", d.Code);
        Assert.Contains("character device", d.Message, StringComparison.Ordinal);
        Assert.True(allocated < 32 * 1024 * 1024, $"allocated {allocated} bytes"); // was 128 MiB of zeros (whole process: other tests run alongside)

        FleetPlan plan = FleetLayout.Discover(["/dev/zero"]);
        Assert.Contains("character device", Assert.Single(plan.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void SymlinkLoops_EachFolderIsSearchedOnce()
    {
        string fleet = Path.Combine(_root, "fleet");
        Directory.CreateDirectory(Path.Combine(fleet, "fs-01", "deep"));
        File.WriteAllBytes(Path.Combine(fleet, "fs-01", "deep", "a.reg"), Reg($"[{Workstation}]"));
        File.WriteAllBytes(Path.Combine(fleet, "ws-01.reg"), Reg($"[{Workstation}]"));
        try
        {
            foreach (string link in new[] { "a", "b", "c" })
            {
                File.CreateSymbolicLink(Path.Combine(fleet, link), ".");
            }

            File.CreateSymbolicLink(Path.Combine(fleet, "fs-01", "deep", "up"), "..");
            File.CreateSymbolicLink(Path.Combine(fleet, "fs-01", "self"), Path.Combine(fleet, "fs-01"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // symbolic links need a privilege on Windows
        }

        Stopwatch clock = Stopwatch.StartNew();
        FleetPlan plan = FleetLayout.Discover([fleet]);
        clock.Stop();

        // Three links to "." gave 3^9 paths (21 s) before; now the links are seen for what they are and each skipped once.
        Assert.Equal(["fs-01", "ws-01"], plan.Machines.Select(m => m.Name));
        Assert.Equal([Path.Combine(fleet, "fs-01", "deep", "a.reg")], plan.Machines[0].Paths);
        Assert.Equal(5, plan.Warnings.Count(w => w.Contains("the same folder as", StringComparison.Ordinal)));
        Assert.Equal(5, plan.Warnings.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
    }

    [Fact]
    public void SymlinkLoops_InAMachineFolder_AreFollowedOnce()
    {
        string folder = Path.Combine(_root, "m");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "a.reg"), Reg($"[{Workstation}]"));
        try
        {
            foreach (string link in new[] { "x", "y", "z" })
            {
                File.CreateSymbolicLink(Path.Combine(folder, link), ".");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        // --machine NAME=FOLDER expands the folder itself (16 levels deep: 3^16 paths before).
        string[] expanded = WithDeadline(() => SourceDetector.Expand(folder).Select(s => s.Path).ToArray());
        Assert.Equal([Path.Combine(folder, "a.reg")], expanded);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("utf16-behind-utf8-bom")]
    [InlineData("utf32")]
    [InlineData("utf32-be")]
    public void NotText_UnderATextFormatsName_IsAnError(string kind)
    {
        const string conf = "[global]\n   server signing = disabled\n   client signing = disabled\n";
        byte[] content = kind switch
        {
            "random" => RandomBytes(4096),
            "utf16-behind-utf8-bom" => [0xEF, 0xBB, 0xBF, .. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(conf)],
            "utf32" => [.. new UTF32Encoding(bigEndian: false, byteOrderMark: true).GetPreamble(), .. new UTF32Encoding(false, false).GetBytes(conf)],
            _ => [.. new UTF32Encoding(bigEndian: true, byteOrderMark: true).GetPreamble(), .. new UTF32Encoding(true, false).GetBytes(conf)],
        };

        foreach (string name in new[] { "x.smb.conf", "nsmb.conf" })
        {
            SourceReadResult result = MachineSourceReader.Parse(content, name);

            SourceDiagnostic error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            Assert.Contains(error.Code, s_notTextCodes);
            Assert.Empty(result.Observations);
            Assert.True(error.Location.ByteOffset >= 0 || error.Code == "AUD001", error.ToString());
        }
    }

    [Fact]
    public void NotText_MessageNamesTheOffsetAndTheProblem()
    {
        byte[] utf16BehindBom = [0xEF, 0xBB, 0xBF, .. Encoding.Unicode.GetBytes("[global]\n")];
        SourceDiagnostic d = Assert.Single(MachineSourceReader.Parse(utf16BehindBom, "smb.conf").Diagnostics);
        Assert.Equal("smb.conf@4: error SMB009: byte offset 4 is a NUL after a UTF-8 byte-order mark: the text is UTF-16 (or binary) behind a UTF-8 BOM; expected UTF-8 text after that BOM; not read as smb.conf", d.ToString());

        byte[] utf32 = [0xFF, 0xFE, 0, 0, (byte)'[', 0, 0, 0];
        Assert.Contains("UTF-32 byte-order mark", Assert.Single(MachineSourceReader.Parse(utf32, "smb.conf").Diagnostics).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[global]\n\tserver signing = mandatory\r\n\f\v")] // tab, CR, FF, VT are text
    [InlineData("[global]\n   workgroup = CAF\u00c9\n   server signing = mandatory\n")] // UTF-8 beyond ASCII
    public void Text_IsStillRead(string conf)
    {
        SourceReadResult result = MachineSourceReader.Parse(Utf8(conf), "smb.conf");
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.NotEmpty(result.Observations);

        byte[] latin1 = Encoding.Latin1.GetBytes("[global]\n   workgroup = CAF\u00c9\n   server signing = mandatory\n");
        Assert.DoesNotContain(MachineSourceReader.Parse(latin1, "smb.conf").Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void HugeValue_IsEchoedCutAndWithItsLength()
    {
        string value = new('A', 200_000);
        MachineSnapshot snapshot = Snapshot(("smb.conf", Utf8($"[global]\n   server signing = {value}\n   client signing = {value}\n   {value} = 1\n")));

        SnapshotSetting setting = snapshot.Get(ClientRequire)!;
        Assert.True(setting.Winner!.Stored.Length < 200, setting.Winner.Stored.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("... (200,000 characters)", setting.Winner.Stored, StringComparison.Ordinal);
        Assert.True(setting.Winner.Note!.Length < 400);
        Assert.NotEmpty(snapshot.Diagnostics);
        Assert.All(snapshot.Diagnostics, d => Assert.True(d.Message.Length < 400, d.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        AuditFinding finding = Finding(snapshot, "win11-24h2-pro", "cis-win11-24h2", "2.3.8.1");
        Assert.True(finding.Note!.Length < 800);
    }

    [Fact]
    public void OversizedSmbConf_IsRefusedBeforeItsBodyIsRead()
    {
        string path = Path.Combine(_root, "big.smb.conf");
        using (FileStream stream = File.Create(path))
        {
            stream.Write(Utf8("[global]\n   server signing = "));
            stream.SetLength(SourceReader.SmallTextMaxFileSize + 1);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        SourceReadResult result = MachineSourceReader.ReadFile(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("SRC003", d.Code);
        Assert.Equal(SourceFormat.SmbConf, result.Format);
        Assert.Contains("the limit for an smb.conf is 8 MiB", d.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");

        // A .reg export may be larger (the cap for it stays 64 MiB).
        Assert.Equal(SourceReader.DefaultMaxFileSize, new RegFileReader().MaxFileSize);
        Assert.Equal(SourceReader.SmallTextMaxFileSize, new SmbConfReader().MaxFileSize);
    }

    [Fact]
    public void NonUtf8FileName_IsReportedAsSuch()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows file names are UTF-16
        }

        // A name with the byte FF: .NET decodes it to U+FFFD and can no longer open the file by that name.
        string fleet = Path.Combine(_root, "fleet");
        Directory.CreateDirectory(fleet);
        using (Process process = Process.Start(new ProcessStartInfo("sh", ["-c", "touch \"$(printf 'ws-\\377.reg')\""]) { WorkingDirectory = fleet, UseShellExecute = false })!)
        {
            process.WaitForExit();
        }

        try
        {
            AssertReportedAsNonUtf8(fleet);
        }
        finally
        {
            // .NET cannot delete the file by its decoded name either.
            using Process rm = Process.Start(new ProcessStartInfo("rm", ["-rf", fleet]) { UseShellExecute = false })!;
            rm.WaitForExit();
        }
    }

    private static void AssertReportedAsNonUtf8(string fleet)
    {
        string mangled = Path.Combine(fleet, "ws-\uFFFD.reg");
        Assert.Equal([mangled], Directory.GetFiles(fleet));

        FleetPlan inFolder = FleetLayout.Discover([fleet]);
        Assert.Contains("its name is not valid UTF-8 (on disk: " + Path.Combine(fleet, @"ws-\xFF.reg") + ", each bad byte as \\xNN)", Assert.Single(inFolder.Problems), StringComparison.Ordinal);
        Assert.Empty(inFolder.Machines);

        FleetPlan named = FleetLayout.Discover([mangled]);
        string problem = Assert.Single(named.Problems);
        Assert.Contains("its name is not valid UTF-8", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", problem, StringComparison.Ordinal);

        SourceReadResult result = MachineSourceReader.ReadFile(mangled);
        Assert.Contains("its name is not valid UTF-8", Assert.Single(result.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableMachines_ShareTheirFindings()
    {
        // 100,000 empty files held 100,000 x rules findings, each with its own note (1.5 GB): they are the same finding.
        File.WriteAllBytes(Path.Combine(_root, "a.reg"), []);
        File.WriteAllBytes(Path.Combine(_root, "b.reg"), []);
        AuditOptions options = new();

        MachineAudit a = FleetAuditor.AuditMachine(new MachineInput { Name = "a", Paths = [Path.Combine(_root, "a.reg")] }, options);
        MachineAudit b = FleetAuditor.AuditMachine(new MachineInput { Name = "b", Paths = [Path.Combine(_root, "b.reg")] }, options);

        Assert.Equal("AUD002", Assert.Single(a.Diagnostics).Code);
        Assert.NotEmpty(a.Findings);
        Assert.Contains(a.Findings, f => f.Status == AuditStatus.Error);
        Assert.All(a.Findings.Zip(b.Findings), pair => Assert.Same(pair.First, pair.Second));
        Assert.Contains("could not be read fully (see its diagnostics)", a.Findings.First(f => f.Status == AuditStatus.Error).Note, StringComparison.Ordinal);
    }

    /// <summary>Best of five, in milliseconds of this thread's CPU time where the OS gives it (Linux), so a loaded
    /// machine that preempts the test does not count against the code (wall time made this test fail at load 40);
    /// elsewhere wall time.</summary>
    private static double BestOfFive(Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            Stopwatch clock = Stopwatch.StartNew();
            double? cpuStart = ThreadCpuMilliseconds();
            action();
            double? cpuEnd = ThreadCpuMilliseconds();
            best = Math.Min(best, cpuStart is { } start && cpuEnd is { } end ? end - start : clock.Elapsed.TotalMilliseconds);
        }

        return best;
    }

    private static double? ThreadCpuMilliseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        return OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out TimeSpec now) == 0
            ? (now.Seconds * 1000.0) + (now.Nanoseconds / 1e6)
            : null;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static byte[] RandomBytes(int n)
    {
        byte[] bytes = new byte[n];
        new Random(20).NextBytes(bytes);
        return bytes;
    }

    private static void MakeFifo(string path)
    {
        using Process process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    /// <summary>Runs <paramref name="action"/> and fails (instead of hanging the suite) if it takes over 20 seconds.</summary>
    private static T WithDeadline<T>(Func<T> action)
    {
        Task<T> task = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "blocked or endless: a FIFO or device was opened, or a link loop followed");
        return task.Result;
    }
}
