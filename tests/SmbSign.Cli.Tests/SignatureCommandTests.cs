using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Cli.Tests;

public sealed class SignatureCommandTests
{
    // Source: final SESSION_SETUP response of the SMB 3.1.1 trace in the 2017 Microsoft Open Specifications blog
    // "SMB 2 and SMB 3 security in Windows 10: the anatomy of signing and cryptographic keys" (AES-128-CMAC).
    private const string PublishedKey = "73FE7A9A77BEF0BDE49C650D8CCB5F76";
    private const string PublishedSignature = "EBE146DA120BA25FC3376A49DFE31BC1";
    private const string PublishedMessage =
        "FE534D4240000100000000000100800009000000000000000300000000000000FFFE0000000000001900000000100000" +
        "EBE146DA120BA25FC3376A49DFE31BC10900000048001D00A11B3019A0030A0100A3120410010000003B453CDC3524164200000000";

    private static readonly Dictionary<string, string> PublishedKeyEnvironment = new() { ["SMBSIGN_KEY"] = PublishedKey };

    [Fact]
    public async Task Signature_PublishedMessage_MatchesAndExitsZero()
    {
        CliRun run = await CliHarness.RunAsync(["signature", "--dialect", "3.1.1", PublishedMessage], PublishedKeyEnvironment);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Algorithm: AES-CMAC", run.Output, StringComparison.Ordinal);
        Assert.Contains("Computed signature:   " + PublishedSignature, run.Output, StringComparison.Ordinal);
        Assert.Contains("The signature matches.", run.Output, StringComparison.Ordinal);
        Assert.Contains("SIGNING_CAPABILITIES", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(PublishedKey, run.Output + run.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Signature_Json_HasExactlyTheDocumentedFields()
    {
        CliRun run = await CliHarness.RunAsync(["signature", "-a", "cmac", "--hex", PublishedMessage, "--format", "json"], PublishedKeyEnvironment);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal(["generatedAt", "toolVersion", "algorithm", "signature", "matches"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("AES-CMAC", doc.RootElement.GetProperty("algorithm").GetString());
        Assert.Equal(PublishedSignature, doc.RootElement.GetProperty("signature").GetString());
        Assert.True(doc.RootElement.GetProperty("matches").GetBoolean());
    }

    [Fact]
    public async Task Signature_TamperedMessage_ReportsMismatchAndExitsOne()
    {
        string tampered = PublishedMessage[..^2] + "01";

        CliRun run = await CliHarness.RunAsync(["signature", "-a", "cmac", tampered, "--format", "json"], PublishedKeyEnvironment);

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.False(doc.RootElement.GetProperty("matches").GetBoolean());
        Assert.NotEqual(PublishedSignature, doc.RootElement.GetProperty("signature").GetString());
    }

    [Fact]
    public async Task Signature_NbssPrefixAndSeparators_AreAccepted()
    {
        string framed = "00 00 00 65 " + string.Join(':', Enumerable.Range(0, PublishedMessage.Length / 2).Select(i => PublishedMessage.Substring(2 * i, 2)));

        CliRun run = await CliHarness.RunAsync(["signature", "-a", "cmac", "--hex", framed], PublishedKeyEnvironment);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("transport (NBSS) prefix", run.Output, StringComparison.Ordinal);
        Assert.Contains("The signature matches.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_BinaryFileAndKeyFile_Work()
    {
        string directory = Directory.CreateTempSubdirectory("smbsign-sig-").FullName;
        try
        {
            string messageFile = Path.Combine(directory, "message.bin");
            string hexKeyFile = Path.Combine(directory, "key.hex");
            string rawKeyFile = Path.Combine(directory, "key.bin");
            await File.WriteAllBytesAsync(messageFile, Convert.FromHexString(PublishedMessage));
            await File.WriteAllTextAsync(hexKeyFile, PublishedKey.ToLowerInvariant() + "\n");
            await File.WriteAllBytesAsync(rawKeyFile, Convert.FromHexString(PublishedKey));

            CliRun hexKey = await CliHarness.RunAsync(["signature", "-a", "cmac", "--file", messageFile, "--key-file", hexKeyFile, "--format", "json"]);
            CliRun rawKey = await CliHarness.RunAsync(["signature", "-a", "cmac", "--file", messageFile, "--key-file", rawKeyFile, "--format", "json"]);

            Assert.Equal(ExitCodes.Success, hexKey.ExitCode);
            Assert.Equal(ExitCodes.Success, rawKey.ExitCode);
            Assert.Contains(PublishedSignature, hexKey.Output, StringComparison.Ordinal);
            Assert.Contains(PublishedSignature, rawKey.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Signature_UnsignedMessage_ComputesWhatSigningWouldWrite_MatchesNull()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = CreateMessage(100, Smb2Command.Create, Smb2Flags.None, 5);
        byte[] signed = message.ToArray();
        Smb2Signing.Sign(SigningAlgorithm.HmacSha256, key, signed);

        CliRun run = await CliHarness.RunAsync(
            ["signature", "--dialect", "2.1", Convert.ToHexString(message), "--format", "json"], Key(key));

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("HMAC-SHA256", doc.RootElement.GetProperty("algorithm").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("matches").ValueKind);
        Assert.Equal(Convert.ToHexString(signed.AsSpan(48, 16)), doc.RootElement.GetProperty("signature").GetString());
    }

    [Theory]
    [InlineData(null, Smb2Flags.ServerToRedir, Smb2SenderRole.FromFlags)]
    [InlineData("server", Smb2Flags.None, Smb2SenderRole.Server)]
    [InlineData("client", Smb2Flags.ServerToRedir, Smb2SenderRole.Client)]
    public async Task Signature_Gmac_RoleSelectsNonceBit(string? role, Smb2Flags flags, Smb2SenderRole expectedRole)
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = CreateMessage(90, Smb2Command.Read, flags, 77);
        Smb2Signing.Sign(SigningAlgorithm.AesGmac, key, message, expectedRole);
        string[] args = role is null
            ? ["signature", "-a", "gmac", Convert.ToHexString(message), "--format", "json"]
            : ["signature", "-a", "gmac", "--role", role, Convert.ToHexString(message), "--format", "json"];

        CliRun run = await CliHarness.RunAsync(args, Key(key));

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        Assert.Equal("AES-GMAC", doc.RootElement.GetProperty("algorithm").GetString());
        Assert.True(doc.RootElement.GetProperty("matches").GetBoolean());
    }

    [Fact]
    public async Task Signature_Compound_ReportsEveryMessage()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] first = CreateMessage(100 + 4, Smb2Command.Create, Smb2Flags.None, 10, nextCommand: 104);
        byte[] second = CreateMessage(72, Smb2Command.Read, Smb2Flags.RelatedOperations, 11, nextCommand: 72);
        byte[] third = CreateMessage(70, Smb2Command.Close, Smb2Flags.RelatedOperations, 12);
        byte[] frame = [.. first, .. second, .. third];
        using (var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, key))
        {
            signer.SignCompound(frame);
        }

        frame[^1] ^= 0xFF; // tamper with the last message only

        CliRun run = await CliHarness.RunAsync(["signature", "--dialect", "3.0", Convert.ToHexString(frame), "--format", "json"], Key(key));

        Assert.Equal(ExitCodes.Findings, run.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(run.Output);
        JsonElement[] messages = [.. doc.RootElement.GetProperty("messages").EnumerateArray()];
        Assert.Equal(3, messages.Length);
        Assert.Equal([0, 104, 176], messages.Select(m => m.GetProperty("offset").GetInt32()));
        Assert.Equal([true, true, false], messages.Select(m => m.GetProperty("matches").GetBoolean()));
        Assert.Equal("Close", messages[2].GetProperty("command").GetString());
        Assert.False(doc.RootElement.GetProperty("matches").GetBoolean());
    }

    [Fact]
    public async Task Signature_Smb1_UsesMd5WithSequenceNumber()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        byte[] message = new byte[60];
        message[0] = 0xFF;
        "SMB"u8.CopyTo(message.AsSpan(1));
        message[4] = 0x2B;
        Smb1Signing.Sign(key, message, 12);

        CliRun good = await CliHarness.RunAsync(["signature", "--sequence", "12", Convert.ToHexString(message), "--format", "json"], Key(key));
        CliRun wrongSequence = await CliHarness.RunAsync(["signature", "--sequence", "13", Convert.ToHexString(message), "--format", "json"], Key(key));

        Assert.Equal(ExitCodes.Success, good.ExitCode);
        Assert.Contains("\"MD5\"", good.Output, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexString(message.AsSpan(14, 8)), good.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Findings, wrongSequence.ExitCode);
    }

    public static TheoryData<string, string[], bool, string> InputErrors => new()
    {
        { "no key", ["signature", "-a", "cmac", PublishedMessage], false, "SMBSIGN_KEY" },
        { "key not hex", ["signature", "-a", "cmac", PublishedMessage], true, "not hex" },
        { "no message", ["signature", "-a", "cmac"], true, "Give the message" },
        { "message twice", ["signature", "-a", "cmac", PublishedMessage, "--hex", PublishedMessage], true, "only once" },
        { "bad hex digit", ["signature", "-a", "cmac", "FE534D42ZZ"], true, "character 9" },
        { "odd hex", ["signature", "-a", "cmac", "FE534D420"], true, "odd number" },
        { "not SMB", ["signature", "-a", "cmac", "00112233445566778899"], true, "Not an SMB message" },
        { "encrypted transform", ["signature", "-a", "cmac", "FD534D42" + new string('0', 120)], true, "TRANSFORM" },
        { "short SMB2", ["signature", "-a", "cmac", "FE534D424000"], true, "64 bytes" },
        { "no algorithm for SMB2", ["signature", PublishedMessage], true, "--algorithm" },
        { "md5 on SMB2", ["signature", "-a", "md5", PublishedMessage], true, "SMB1 only" },
        { "unknown algorithm", ["signature", "-a", "sha1", PublishedMessage], true, "not one of" },
        { "unknown dialect", ["signature", "-d", "4.0", PublishedMessage], true, "not a dialect" },
        { "NBSS length mismatch", ["signature", "-a", "cmac", "00000099" + PublishedMessage], true, "announces 153" },
        { "bad NextCommand", ["signature", "-a", "cmac", PublishedMessage[..40] + "21000000" + PublishedMessage[48..]], true, "NextCommand 33" },
        { "bad role", ["signature", "-a", "gmac", "--role", "proxy", PublishedMessage], true, "proxy" },
        { "missing file", ["signature", "-a", "cmac", "--file", "/nonexistent/message.bin"], true, "does not exist" },
        { "SMB1 without sequence", ["signature", "FF534D422B" + new string('0', 70)], true, "--sequence" },
    };

    [Theory]
    [MemberData(nameof(InputErrors))]
    public async Task Signature_BadInput_ExitsTwoWithSpecificMessage(string description, string[] args, bool withKey, string expected)
    {
        Dictionary<string, string>? environment = withKey
            ? new() { ["SMBSIGN_KEY"] = description == "key not hex" ? "73FE7A9A77BEF0BDE49C650D8CCB5FXX" : PublishedKey }
            : null;

        CliRun run = await CliHarness.RunAsync(args, environment);

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("73FE7A9A77BEF0BD", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_CmacWithShortKey_ExitsTwo()
    {
        CliRun run = await CliHarness.RunAsync(["signature", "-a", "cmac", PublishedMessage], new Dictionary<string, string> { ["SMBSIGN_KEY"] = "0011223344556677" });

        Assert.Equal(ExitCodes.UsageOrInput, run.ExitCode);
        Assert.Contains("16-byte", run.Error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Key(byte[] key) => new() { ["SMBSIGN_KEY"] = Convert.ToHexString(key) };

    private static byte[] CreateMessage(int length, Smb2Command command, Smb2Flags flags, ulong messageId, uint nextCommand = 0)
    {
        byte[] message = new byte[length];
        new Random(length).NextBytes(message);
        new Smb2Header(1, 0, command, 1, flags, nextCommand, messageId, 0, 1, 0x1000).Write(message);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(64), 9);
        return message;
    }
}
