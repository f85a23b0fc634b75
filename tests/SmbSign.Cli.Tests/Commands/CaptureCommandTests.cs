using System.Text.Json;

namespace SmbSign.Cli.Tests.Commands;

/// <summary><c>smbsign capture</c> on the committed real captures (recorded from smbclient and Samba on loopback).</summary>
public sealed class CaptureCommandTests
{
    private static readonly string s_smb311 = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb311-gmac-signed.pcapng");
    private static readonly string s_smb1 = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb1-nt1-signed.pcapng");

    [Fact]
    public async Task Capture_Json_HasIssueFieldsPerConnectionAndSession()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement root = doc.RootElement;
        Assert.Equal(0, root.GetProperty("gaps").GetInt64());
        JsonElement connection = Assert.Single(root.GetProperty("connections").EnumerateArray());
        Assert.StartsWith("127.0.0.1:", connection.GetProperty("client").GetString(), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:39047", connection.GetProperty("server").GetString());
        Assert.Equal("3.1.1", connection.GetProperty("dialect").GetString());
        Assert.True(connection.GetProperty("clientRequiresSigning").GetBoolean());
        Assert.True(connection.GetProperty("serverRequiresSigning").GetBoolean());
        Assert.Equal("AES-GMAC", connection.GetProperty("signingAlgorithm").GetString());
        JsonElement session = Assert.Single(connection.GetProperty("sessions").EnumerateArray());
        Assert.Matches("^0x[0-9a-f]{16}$", session.GetProperty("sessionId").GetString());
        Assert.Equal("smbsigntest", session.GetProperty("user").GetString()); // from the AUTHENTICATE, no secret needed
        Assert.Equal("WORKGROUP", session.GetProperty("domain").GetString());
        Assert.Equal("NTLM", session.GetProperty("authentication").GetString());
        foreach (string field in new[] { "verified", "failed", "notCheckable", "key", "failures" })
        {
            Assert.Equal(JsonValueKind.Null, session.GetProperty(field).ValueKind); // nothing verified without a password or keys
        }

        Assert.False(session.GetProperty("guest").GetBoolean());
        Assert.False(session.GetProperty("anonymous").GetBoolean());
        Assert.Equal(0, session.GetProperty("unsignedWhileRequired").GetInt64());
        Assert.Equal(0, session.GetProperty("encrypted").GetInt64());
        Assert.True(session.GetProperty("signed").GetInt64() > 50);
        Assert.Equal(session.GetProperty("messages").GetInt64(), session.GetProperty("signed").GetInt64() + session.GetProperty("unsigned").GetInt64());
        Assert.Contains(root.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "not-verified");
    }

    [Fact]
    public async Task Capture_Table_ShowsConnectionSessionAndFindings()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, s_smb1]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3.1.1", run.Output, StringComparison.Ordinal);
        Assert.Contains("smb1", run.Output, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:39047", run.Output, StringComparison.Ordinal);
        Assert.Contains("uses SMB1", run.Output, StringComparison.Ordinal);
        Assert.Contains("smb311-gmac-signed.pcapng: pcapng", run.Output, StringComparison.Ordinal);
        Assert.Contains("smb1-nt1-signed.pcapng: pcapng", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_OutputFile_WritesJsonAtomically()
    {
        string output = Path.Combine(Path.GetTempPath(), $"smbsign-capture-{Guid.NewGuid():N}.json");
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", s_smb1, "--format", "json", "-o", output]);

            Assert.Equal(0, run.ExitCode);
            Assert.Equal(string.Empty, run.Output);
            using JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            Assert.Equal("smb1", doc.RootElement.GetProperty("connections")[0].GetProperty("dialect").GetString());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData("wrong magic", "47494638396100000000000000000000000000000000000000000000", "magic 47494638", "byte offset 0")]
    [InlineData("1 GiB pcapng block", "0A0D0D0A1C0000004D3C2B1A01000000FFFFFFFFFFFFFFFF1C00000006000000000000400000", "1073741824", "byte offset 28")]
    [InlineData("pcap record above snaplen", "D4C3B2A1020004000000000000000000DC05000001000000000000000000000001000400FFFF0000", "262145", "byte offset 24")]
    public async Task Capture_MalformedFile_ExitsTwoWithByteOffset(string description, string hex, string expected, string offset)
    {
        string path = Path.Combine(Path.GetTempPath(), $"smbsign-bad-{Guid.NewGuid():N}.pcap");
        await File.WriteAllBytesAsync(path, Convert.FromHexString(hex));
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", path]);

            Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
            Assert.Contains(offset, run.Error, StringComparison.Ordinal);
            Assert.Contains(Path.GetFileName(path), run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(description));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Capture_MissingFile_ExitsTwo()
    {
        CliRun run = await CliHarness.RunAsync(["capture", Path.Combine(Path.GetTempPath(), "no-such-capture.pcapng")]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("cannot open", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    public async Task Capture_PortOutOfRange_ExitsTwo(string port)
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb1, "--port", port]);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("is not a TCP port", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_WithPort_DetectsByConfiguredPort()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "--port", "39047", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("syn", doc.RootElement.GetProperty("connections")[0].GetProperty("clientDecidedBy").GetString());
    }

    private static readonly string s_smb210 = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb210-unsigned.pcapng");

    private static Dictionary<string, string> Password(string password = "SmbSign-Test-1!") => new() { ["SMBSIGN_PASSWORD"] = password };

    [Theory]
    [InlineData("smb311-gmac-signed.pcapng", "AES-GMAC")]
    [InlineData("smb210-unsigned.pcapng", "HMAC-SHA256")]
    [InlineData("smb1-nt1-signed.pcapng", "MD5")]
    public async Task Capture_RightPassword_EverySignatureVerifiesExitZero(string file, string algorithm)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", file);

        CliRun run = await CliHarness.RunAsync(["capture", path, "-u", "smbsigntest", "--format", "json"], Password());

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement connection = Assert.Single(doc.RootElement.GetProperty("connections").EnumerateArray());
        Assert.Equal(algorithm, connection.GetProperty("signingAlgorithm").GetString());
        JsonElement session = Assert.Single(connection.GetProperty("sessions").EnumerateArray());
        Assert.True(session.GetProperty("signed").GetInt64() > 0);
        Assert.Equal(session.GetProperty("signed").GetInt64(), session.GetProperty("verified").GetInt64());
        Assert.Equal(0, session.GetProperty("failed").GetInt64());
        Assert.Equal("password", session.GetProperty("key").GetString());
        Assert.Empty(session.GetProperty("failures").EnumerateArray());
        Assert.DoesNotContain(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "not-verified");
        Assert.DoesNotContain("SmbSign-Test-1!", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_WrongPassword_ExitOneAndBlamesThePasswordNotTampering()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "-u", @"WORKGROUP\smbsigntest"], Password("Wrong-Pass-9"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("password does not match the captured AUTHENTICATE", run.Output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED verification", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Pass-9", run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_TamperedReadResponse_ExitOneWithTheFailedFrame()
    {
        // One byte of the file content inside the signed READ response ("Hello from the SmbSign Samba fixture.").
        byte[] bytes = await File.ReadAllBytesAsync(s_smb311);
        int at = bytes.AsSpan().IndexOf("Hello from the SmbSign"u8);
        Assert.True(at > 0);
        bytes[at] ^= 0x20;
        string tampered = Path.Combine(Path.GetTempPath(), $"smbsign-tampered-{Guid.NewGuid():N}.pcapng");
        await File.WriteAllBytesAsync(tampered, bytes);
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", tampered, "-u", "smbsigntest", "--format", "json"], Password());

            Assert.Equal(1, run.ExitCode);
            using JsonDocument doc = JsonDocument.Parse(run.Output);
            JsonElement session = Assert.Single(Assert.Single(doc.RootElement.GetProperty("connections").EnumerateArray()).GetProperty("sessions").EnumerateArray());
            Assert.Equal(1, session.GetProperty("failed").GetInt64());
            Assert.Equal(session.GetProperty("signed").GetInt64() - 1, session.GetProperty("verified").GetInt64());
            JsonElement failure = Assert.Single(session.GetProperty("failures").EnumerateArray());
            Assert.Equal("READ", failure.GetProperty("command").GetString());
            long frame = failure.GetProperty("frame").GetInt64();
            JsonElement finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "signature-failed");
            Assert.Equal(frame, Assert.Single(finding.GetProperty("frames").EnumerateArray()).GetInt64());
            Assert.Equal("error", finding.GetProperty("severity").GetString());
        }
        finally
        {
            File.Delete(tampered);
        }
    }

    [Theory]
    [InlineData("0x1 00112233\n", "keys.txt:1: the session key must be 32 or 64 hex digits")]
    [InlineData("# comment\n\nnot-hex 00112233445566778899aabbccddeeff\n", "keys.txt:3: the session id (first field) must be 16 hex digits")]
    [InlineData("00112233445566778899aabbccddeeff 0x1\n", "keys.txt:1: the session id (first field) must be 16 hex digits (or 0x followed by up to 16 hex digits); found 32 character(s) that look like a session key")]
    public async Task Capture_BadKeysFile_ExitTwoWithFileAndLine(string content, string expected)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"smbsign-keys-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        string keys = Path.Combine(directory, "keys.txt");
        await File.WriteAllTextAsync(keys, content);
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "--keys", keys]);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal); // a message, not a stack trace
            Assert.DoesNotContain("00112233", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Capture_WrongKeyInKeysFile_EverySignatureFailsAndTheFindingBlamesTheKey()
    {
        CliRun plain = await CliHarness.RunAsync(["capture", s_smb311, "--format", "json"]);
        string sessionId;
        using (JsonDocument first = JsonDocument.Parse(plain.Output))
        {
            sessionId = Assert.Single(Assert.Single(first.RootElement.GetProperty("connections").EnumerateArray()).GetProperty("sessions").EnumerateArray()).GetProperty("sessionId").GetString()!;
        }

        CliRun run = await CaptureWithKeysFileAsync(s_smb311, sessionId + " 00112233445566778899aabbccddeeff\n");

        Assert.Equal(1, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement session = Assert.Single(Assert.Single(doc.RootElement.GetProperty("connections").EnumerateArray()).GetProperty("sessions").EnumerateArray());
        Assert.Equal("keys-file", session.GetProperty("key").GetString());
        Assert.Equal(0, session.GetProperty("verified").GetInt64());
        Assert.True(session.GetProperty("failed").GetInt64() > 1);
        JsonElement failed = doc.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "signature-failed");
        Assert.Contains("key from the keys file: that key is most likely wrong", failed.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("00112233445566778899aabbccddeeff", run.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Capture_KeysFileForOtherSessions_ReportsNoKeyAndExitsZero()
    {
        CliRun run = await CaptureWithKeysFileAsync(s_smb210, "0x1234 00112233445566778899aabbccddeeff\n");

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement session = Assert.Single(Assert.Single(doc.RootElement.GetProperty("connections").EnumerateArray()).GetProperty("sessions").EnumerateArray());
        Assert.Equal("no-key", session.GetProperty("key").GetString());
        Assert.Equal(0, session.GetProperty("verified").GetInt64());
        Assert.Equal(session.GetProperty("signed").GetInt64(), session.GetProperty("notCheckable").GetInt64());
        Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "not-checkable");
    }

    /// <summary>Runs <c>capture FILE --keys K --format json</c> with a temporary keys file holding <paramref name="keys"/>.</summary>
    private static async Task<CliRun> CaptureWithKeysFileAsync(string capture, string keys)
    {
        string file = Path.Combine(Path.GetTempPath(), $"smbsign-keys-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, keys);
        try
        {
            return await CliHarness.RunAsync(["capture", capture, "--keys", file, "--format", "json"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Capture_UserWithoutAnyPassword_ExitTwoNamesTheSources()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "-u", "smbsigntest"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("SMBSIGN_PASSWORD", run.Error, StringComparison.Ordinal);
        Assert.Contains("never read from the command line", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_PasswordFileWithoutUser_ExitTwo()
    {
        string file = Path.Combine(Path.GetTempPath(), $"smbsign-pw-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "SmbSign-Test-1!\n");
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", s_smb311, "--password-file", file]);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("--password-file needs -u", run.Error, StringComparison.Ordinal);

            CliRun withUser = await CliHarness.RunAsync(["capture", s_smb311, "--password-file", file, "-u", "smbsigntest", "--format", "json"]);
            Assert.Equal(0, withUser.ExitCode);
            Assert.Contains("\"key\": \"password\"", withUser.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The 3.1.1 capture (both sides require signing) with the READ response's SIGNED flag cleared and its
    /// signature zeroed: what a downgrade in transit leaves behind.</summary>
    private static async Task<string> UnsignedReadResponseCopyAsync(string directory)
    {
        byte[] bytes = await File.ReadAllBytesAsync(s_smb311);
        int content = bytes.AsSpan().IndexOf("Hello from the SmbSign"u8);
        int header = bytes.AsSpan(0, content).LastIndexOf([(byte)0xFE, (byte)'S', (byte)'M', (byte)'B']);
        Assert.True(header > 0);
        Assert.Equal(0x08, bytes[header + 16] & 0x08); // SMB2_FLAGS_SIGNED, [MS-SMB2] 2.2.1.2
        bytes[header + 16] &= 0xF7;
        Array.Clear(bytes, header + 48, 16);
        string path = Path.Combine(directory, "smb311-read-unsigned.pcapng");
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    [Fact]
    public async Task Capture_ExitCodes_OnTheRecordedCaptures()
    {
        string directory = Directory.CreateTempSubdirectory("smbsign-exit-").FullName;
        try
        {
            string unsigned = await UnsignedReadResponseCopyAsync(directory);

            // 0: signed throughout (verified or only counted), and unsigned where neither side required signing.
            Assert.Equal(0, (await CliHarness.RunAsync(["capture", s_smb311])).ExitCode);
            Assert.Equal(0, (await CliHarness.RunAsync(["capture", s_smb311, "-u", "smbsigntest"], Password())).ExitCode);
            CliRun notRequired = await CliHarness.RunAsync(["capture", s_smb210, "--format", "json"]);
            Assert.Equal(0, notRequired.ExitCode);
            Assert.Contains("\"not-signed\"", notRequired.Output, StringComparison.Ordinal);

            // 1: a message that had to be signed was not, with or without verification.
            foreach (string[] extra in new string[][] { [], ["-u", "smbsigntest"] })
            {
                CliRun run = await CliHarness.RunAsync(["capture", unsigned, "--format", "json", .. extra], Password());
                Assert.Equal(1, run.ExitCode);
                using JsonDocument doc = JsonDocument.Parse(run.Output);
                JsonElement session = Assert.Single(Assert.Single(doc.RootElement.GetProperty("connections").EnumerateArray()).GetProperty("sessions").EnumerateArray());
                Assert.Equal(1, session.GetProperty("unsignedWhileRequired").GetInt64());
                Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "unsigned-while-required");
                if (extra.Length > 0)
                {
                    Assert.Equal(0, session.GetProperty("failed").GetInt64());
                    Assert.Equal(session.GetProperty("signed").GetInt64(), session.GetProperty("verified").GetInt64());
                }
            }

            // 1 for a failed signature and a wrong password: Capture_TamperedReadResponse_* and Capture_WrongPassword_*.
            // 2: not a capture, or not a regular file.
            Assert.Equal(2, (await CliHarness.RunAsync(["capture", Path.Combine(directory, "absent.pcapng")])).ExitCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Capture_NamedPipe_ExitTwoAtOnceInsteadOfHanging()
    {
        string directory = Directory.CreateTempSubdirectory("smbsign-fifo-").FullName;
        string fifo = Path.Combine(directory, "capture.pcap");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Task<CliRun> running = CliHarness.RunAsync(["capture", s_smb1, fifo]);
        try
        {
            CliRun run = await running.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(2, run.ExitCode);
            Assert.Equal($"smbsign: {fifo}: is a named pipe (FIFO), not a capture file. To read a stream, pipe it to standard input and give '-'.", run.Error.Trim());
        }
        finally
        {
            if (!running.IsCompleted)
            {
                // The reader is blocked in open(): give it a writer (then end of file) so the test process can exit.
                await using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
                {
                }
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Capture_256MiBRecord_SkippedWithAWarningAndCounted()
    {
        string path = Path.Combine(Path.GetTempPath(), $"smbsign-big-{Guid.NewGuid():N}.pcap");
        const uint length = 256 * 1024 * 1024;
        // pcap header (snaplen 0, Ethernet), then one record header claiming 256 MiB captured and on the wire.
        byte[] header = [.. Convert.FromHexString("D4C3B2A1020004000000000000000000000000000100000000000000000000000000000000000000")];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(32), length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(36), length);
        await using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            await stream.WriteAsync(header);
            stream.SetLength(24 + 16 + length); // sparse: the record's bytes exist but take no disk
        }

        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", path, "--format", "json"]);

            Assert.Equal(0, run.ExitCode);
            using JsonDocument doc = JsonDocument.Parse(run.Output);
            Assert.Equal(1, doc.RootElement.GetProperty("files")[0].GetProperty("skippedRecords").GetInt64());
            JsonElement finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "skipped-records");
            Assert.Equal("warning", finding.GetProperty("severity").GetString());
            Assert.Contains("longer than 16842752 bytes skipped unread, the first at byte offset 24 (frame 1), the longest claiming 268435456 bytes", finding.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
