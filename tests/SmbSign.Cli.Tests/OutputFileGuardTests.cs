using System.Diagnostics;
using SmbSign.Testing;

namespace SmbSign.Cli.Tests;

/// <summary>Outputs never overwrite inputs, however reached (symbolic link, hard link, linked folder), and never escape
/// an output folder through a link: <see cref="OutputFileGuard"/> and <see cref="FileIdentity"/> on their own, then
/// through <c>capture</c>, <c>scan</c>, <c>fix</c> and <c>audit</c> on real files.</summary>
public sealed class OutputFileGuardTests : IDisposable
{
    private static readonly string s_capture = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb1-nt1-signed.pcapng");
    private static readonly string s_fleet = Path.Combine(TestPaths.RepositoryRoot, "samples", "fleet");

    private readonly string _temp = Path.Combine(Path.GetTempPath(), "smbsign-guard-" + Guid.NewGuid().ToString("N")[..12]);

    public OutputFileGuardTests()
    {
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Probe_HardLinkSymlinkAndLinkedFolder_HaveTheInputsIdentity_ACopyDoesNot()
    {
        string input = Write("input.txt", "data");
        string copy = Write("copy.txt", "data");
        string hard = HardLink(input, "hard.txt");
        string symbolic = Path.Combine(_temp, "symbolic.txt");
        File.CreateSymbolicLink(symbolic, input);
        string folderLink = Path.Combine(_temp, "folder-link");
        Directory.CreateSymbolicLink(folderLink, _temp);

        Assert.Equal(FileKind.Regular, FileIdentity.Probe(input, out FileIdentity? original));
        Assert.NotNull(original);
        foreach (string same in new[] { hard, symbolic, Path.Combine(folderLink, "input.txt"), Path.Combine(_temp, ".", "input.txt") })
        {
            Assert.Equal(FileKind.Regular, FileIdentity.Probe(same, out FileIdentity? identity));
            Assert.Equal(original, identity);
        }

        FileIdentity.Probe(copy, out FileIdentity? other);
        Assert.NotEqual(original, other);
        Assert.Equal(FileKind.Missing, FileIdentity.Probe(Path.Combine(_temp, "absent"), out _));
        Assert.Equal(FileKind.Directory, FileIdentity.Probe(folderLink, out _));
        Assert.Equal(FileKind.CharacterDevice, FileIdentity.Probe("/dev/null", out _));
        Assert.Equal(FileKind.Fifo, FileIdentity.Probe(Fifo("pipe"), out _));
    }

    [Fact]
    public void CheckFile_Rules()
    {
        string input = Write("input.txt", "data");
        string other = Write("other.txt", "data");
        string hard = HardLink(input, "hard.txt");
        var guard = new OutputFileGuard().AddInput("--keys file", input);

        CliException viaHardLink = Assert.Throws<CliException>(() => guard.CheckFile("-o", hard, replaceExisting: true));
        Assert.Contains("is one of the inputs (the --keys file", viaHardLink.Message, StringComparison.Ordinal);
        Assert.Contains("under another name or through a link", viaHardLink.Message, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(other), guard.CheckFile("-o", other, replaceExisting: true));
        Assert.Contains("already exists", Assert.Throws<CliException>(() => new OutputFileGuard().CheckFile("-o", other, replaceExisting: false)).Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", Assert.Throws<CliException>(() => guard.CheckFile("-o", _temp, replaceExisting: true)).Message, StringComparison.Ordinal);
        Assert.Equal("/dev/null", guard.CheckFile("-o", "/dev/null", replaceExisting: true));
        Assert.Contains("is also the -o output", Assert.Throws<CliException>(() => guard.CheckFile("--relay-list", other, replaceExisting: true)).Message, StringComparison.Ordinal);

        string outside = Directory.CreateDirectory(Path.Combine(_temp, "outside")).FullName;
        string root = Directory.CreateDirectory(Path.Combine(_temp, "root")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(root, "gpo"), outside);
        var folder = new OutputFileGuard(root);
        Assert.Contains("never writes through a link", Assert.Throws<CliException>(() => folder.CheckFile("-o", Path.Combine(root, "gpo", "GPT.INI"), replaceExisting: true)).Message, StringComparison.Ordinal);
        Assert.Contains("outside the output folder", Assert.Throws<CliException>(() => folder.CheckFile("-o", Path.Combine(outside, "x"), replaceExisting: true)).Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(root, "new", "file"), folder.CheckFile("-o", Path.Combine(root, "new", "file"), replaceExisting: false));
    }

    [Theory]
    [InlineData("symbolic link to the capture")]
    [InlineData("hard link to the capture")]
    [InlineData("the capture through a linked folder")]
    [InlineData("the --keys file")]
    [InlineData("the --password-file")]
    public async Task Capture_OutputNamingAnInput_ExitTwoAndTheInputIsUntouched(string how)
    {
        string input = Path.Combine(_temp, "in.pcapng");
        File.Copy(s_capture, input);
        string keys = Write("keys.txt", "0x1 00112233445566778899aabbccddeeff\n");
        string password = Write("password.txt", "SmbSign-Test-1!\n");
        string output = how switch
        {
            "symbolic link to the capture" => Symlink(input, "link.pcapng"),
            "hard link to the capture" => HardLink(input, "hard.pcapng"),
            "the capture through a linked folder" => Path.Combine(Directory.CreateSymbolicLink(Path.Combine(_temp, "dir-link"), _temp).FullName, "in.pcapng"),
            "the --keys file" => keys,
            _ => password,
        };
        byte[][] before = [File.ReadAllBytes(input), File.ReadAllBytes(keys), File.ReadAllBytes(password)];

        CliRun run = await CliHarness.RunAsync(["capture", input, "--keys", keys, "-u", "smbsigntest", "--password-file", password, "--format", "json", "-o", output]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("is one of the inputs", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Equal(before[0], File.ReadAllBytes(input));
        Assert.Equal(before[1], File.ReadAllBytes(keys));
        Assert.Equal(before[2], File.ReadAllBytes(password));
        Assert.Empty(Directory.GetFiles(_temp, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Capture_OutputOverAnotherExistingFile_ReplacesItAsDocumented()
    {
        string output = Write("old-report.json", "old");

        CliRun run = await CliHarness.RunAsync(["capture", s_capture, "--format", "json", "-o", output]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("{", await File.ReadAllTextAsync(output), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-o")]
    [InlineData("--relay-list")]
    public async Task Scan_OutputNamingTheTargetListThroughALink_ExitTwoBeforeScanning(string option)
    {
        string list = Write("targets.txt", "127.0.0.1:1\n");
        string link = Symlink(list, "targets-link.txt");

        CliRun run = await CliHarness.RunAsync(["scan", "-iL", list, "--timeout", "200", option, link]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("is one of the inputs (the -iL file", run.Error, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:1\n", await File.ReadAllTextAsync(list));
    }

    [Fact]
    public async Task Scan_OutputNamingTheClientConfigThroughAHardLink_ExitTwo()
    {
        string config = Path.Combine(_temp, "client.smb.conf");
        File.Copy(Path.Combine(s_fleet, "samba-legacy.smb.conf"), config);
        string hard = HardLink(config, "hard.conf");
        byte[] before = File.ReadAllBytes(config);

        CliRun run = await CliHarness.RunAsync(["scan", "127.0.0.1:1", "--timeout", "200", "--client-config", config, "-o", hard]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("is one of the inputs (the --client-config file", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(config));
    }

    [Fact]
    public async Task Fix_ForceIntoALinkToTheFolderHoldingThePatchedFile_ExitTwoOriginalUntouched()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_temp, "conf")).FullName;
        string conf = Path.Combine(folder, "samba-legacy.smb.conf");
        File.Copy(Path.Combine(s_fleet, "samba-legacy.smb.conf"), conf);
        string before = await File.ReadAllTextAsync(conf);
        string link = Path.Combine(_temp, "out-link");
        Directory.CreateSymbolicLink(link, folder);

        CliRun run = await CliHarness.RunAsync(["fix", "--baseline", "signing", "-t", "smbconf", "--patch", conf, "-o", link, "--force"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("is one of the inputs (the --patch file", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(conf));
    }

    [Fact]
    public async Task Fix_LinkedGpoSubfolder_ExitTwoNothingWrittenOutside()
    {
        string output = Directory.CreateDirectory(Path.Combine(_temp, "out")).FullName;
        string outside = Directory.CreateDirectory(Path.Combine(_temp, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(output, "gpo"), outside);

        CliRun run = await CliHarness.RunAsync(["fix", "--baseline", "signing", "-t", "gpo", "-o", output, "--force"]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("never writes through a link out of its output folder", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public async Task Audit_OutputThroughALinkedFolderToTheInput_ExitTwoNamesTheInput()
    {
        string input = Path.Combine(_temp, "ws.reg");
        File.Copy(Path.Combine(s_fleet, "ws-win10-01.reg"), input);
        string link = Directory.CreateSymbolicLink(Path.Combine(_temp, "link"), _temp).FullName;
        byte[] before = File.ReadAllBytes(input);

        CliRun run = await CliHarness.RunAsync(["audit", input, "--format", "json", "-o", Path.Combine(link, "ws.reg")]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("is one of the inputs (the input", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public async Task KeyFileOrPasswordFileIsAFolder_SaysSo()
    {
        CliRun signature = await CliHarness.RunAsync(["signature", "-a", "cmac", "--key-file", _temp, "00"]);
        CliRun capture = await CliHarness.RunAsync(["capture", s_capture, "-u", "smbsigntest", "--password-file", _temp]);
        CliRun keys = await CliHarness.RunAsync(["capture", s_capture, "--keys", _temp]);

        foreach (CliRun run in new[] { signature, capture, keys })
        {
            Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
            Assert.Contains("is a folder", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("does not exist", run.Error, StringComparison.Ordinal);
        }
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_temp, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Symlink(string target, string name) => File.CreateSymbolicLink(Path.Combine(_temp, name), target).FullName;

    private string HardLink(string target, string name) => Tool("ln", target, Path.Combine(_temp, name));

    private string Fifo(string name) => Tool("mkfifo", Path.Combine(_temp, name));

    /// <summary>Runs a coreutils tool whose last argument is the path it creates (.NET has no hard link or mkfifo API).</summary>
    private static string Tool(string name, params string[] arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(name, arguments) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return arguments[^1];
    }
}
