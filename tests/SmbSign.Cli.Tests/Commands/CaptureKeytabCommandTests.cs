using System.Text;
using System.Text.Json;

namespace SmbSign.Cli.Tests.Commands;

/// <summary><c>smbsign capture --keytab</c> on the committed Kerberos capture (smbclient against a Samba AD DC at 3.1.1,
/// 3.0 and 3.0.2; see tests/SmbSign.Capture.Tests/TestData/captures/README.md) with that DC's keytab.</summary>
public sealed class CaptureKeytabCommandTests
{
    private static readonly string s_capture = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb3-kerberos-aes256.pcapng");
    private static readonly string s_keytab = Path.Combine(AppContext.BaseDirectory, "Commands", "TestData", "smb3-kerberos-cifs.keytab");

    [Fact]
    public async Task Keytab_Json_EverySessionVerifiedWithItsKerberosFields()
    {
        CliRun run = await CliHarness.RunAsync(["capture", s_capture, "--keytab", s_keytab, "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement[] sessions = [.. doc.RootElement.GetProperty("connections").EnumerateArray().SelectMany(c => c.GetProperty("sessions").EnumerateArray())];
        Assert.Equal(3, sessions.Length);
        foreach (JsonElement session in sessions)
        {
            Assert.Equal("keytab", session.GetProperty("key").GetString());
            Assert.Equal(session.GetProperty("signed").GetInt64(), session.GetProperty("verified").GetInt64());
            Assert.Equal("Kerberos", session.GetProperty("authentication").GetString());
            JsonElement kerberos = session.GetProperty("kerberos");
            Assert.Equal("cifs/ktdc.ktdev.test@KTDEV.TEST", kerberos.GetProperty("servicePrincipal").GetString());
            Assert.Equal("administrator@KTDEV.TEST", kerberos.GetProperty("clientPrincipal").GetString());
            Assert.Equal("aes256-cts-hmac-sha1-96", kerberos.GetProperty("ticketEncryptionType").GetString());
            Assert.Equal(1, kerberos.GetProperty("kvno").GetInt64());
            Assert.Equal("aes256-cts-hmac-sha1-96", kerberos.GetProperty("ticketSessionKeyEncryptionType").GetString());
            Assert.Equal("acceptor-subkey", kerberos.GetProperty("sessionKeySource").GetString());
            Assert.Equal("aes256-cts-hmac-sha1-96", kerberos.GetProperty("sessionKeyEncryptionType").GetString());
        }

        Assert.DoesNotContain(Convert.ToHexStringLower(File.ReadAllBytes(s_keytab).AsSpan(60, 8)), run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keytab_TamperedSignedMessage_Exit1WithTheFrame()
    {
        byte[] bytes = await File.ReadAllBytesAsync(s_capture);
        int at = bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes("netlogon"));
        Assert.True(at > 0);
        bytes[at] ^= 0x20;
        string tampered = Path.Combine(Path.GetTempPath(), $"smbsign-krb-tampered-{Guid.NewGuid():N}.pcapng");
        await File.WriteAllBytesAsync(tampered, bytes);
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", tampered, "--keytab", s_keytab, "--format", "json"]);

            Assert.Equal(1, run.ExitCode);
            using JsonDocument doc = JsonDocument.Parse(run.Output);
            JsonElement session = doc.RootElement.GetProperty("connections")[0].GetProperty("sessions")[0];
            Assert.Equal(1, session.GetProperty("failed").GetInt64());
            Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "signature-failed");
        }
        finally
        {
            File.Delete(tampered);
        }
    }

    [Fact]
    public async Task Keytab_Repeatable_SecondFileSuppliesTheKey()
    {
        string other = Path.Combine(Path.GetTempPath(), $"smbsign-other-{Guid.NewGuid():N}.keytab");
        await File.WriteAllBytesAsync(other, [0x05, 0x02]); // a valid keytab with no keys
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", s_capture, "--keytab", other, "--keytab", s_keytab]);

            Assert.Equal(0, run.ExitCode);
            Assert.Equal(3, CountOccurrences(run.Output, "key from the keytab"));
        }
        finally
        {
            File.Delete(other);
        }
    }

    [Fact]
    public async Task Keytab_NoKeyForTheTicket_SaysWhichPrincipalKvnoAndType()
    {
        string empty = Path.Combine(Path.GetTempPath(), $"smbsign-empty-{Guid.NewGuid():N}.keytab");
        await File.WriteAllBytesAsync(empty, [0x05, 0x02]);
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", s_capture, "--keytab", empty, "--format", "json"]);

            Assert.Equal(0, run.ExitCode);
            using JsonDocument doc = JsonDocument.Parse(run.Output);
            JsonElement session = doc.RootElement.GetProperty("connections")[0].GetProperty("sessions")[0];
            Assert.Equal("no-key", session.GetProperty("key").GetString());
            Assert.Equal("no key for principal cifs/ktdc.ktdev.test@KTDEV.TEST kvno 1 enctype aes256-cts-hmac-sha1-96 in the keytab", session.GetProperty("keyNote").GetString());
            Assert.Equal(0, session.GetProperty("verified").GetInt64());
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x01 }, "offset 0: version 0x0501")]
    [InlineData(new byte[] { 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00 }, "offset 2: the record length 256 runs past the end of the file")]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04 }, "offset 0: expected the version 0x0502 of an MIT keytab, found 0x504B")]
    public async Task Keytab_Malformed_Exit2OneLineWithFileAndOffset(byte[] contents, string expected)
    {
        string path = Path.Combine(Path.GetTempPath(), $"smbsign-bad-{Guid.NewGuid():N}.keytab");
        await File.WriteAllBytesAsync(path, contents);
        try
        {
            CliRun run = await CliHarness.RunAsync(["capture", s_capture, "--keytab", path]);

            Assert.Equal(2, run.ExitCode);
            string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"--keytab {Path.GetFileName(path)}: {expected}", line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
