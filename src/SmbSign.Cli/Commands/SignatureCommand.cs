using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Errors;
using SmbSign.Protocol.Smb2;
using Spectre.Console;

namespace SmbSign.Cli.Commands;

/// <summary>
/// <c>smbsign signature</c>: computes the signature of an SMB2/3 or SMB1 message and checks the one it carries.
/// The key comes from SMBSIGN_KEY or --key-file, never from argv.
/// </summary>
internal static class SignatureCommand
{
    public const string KeyVariable = "SMBSIGN_KEY";

    public static Command Create(CliServices services)
    {
        Argument<string?> hexArgument = new("hex")
        {
            Description = "The message in hex (whitespace and ':' allowed). Alternatively --hex or --file.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        Option<string?> hexOption = new("--hex") { Description = "The message in hex.", HelpName = "HEX" };
        Option<FileInfo?> fileOption = new("--file") { Description = "Read the message from a binary file.", HelpName = "PATH" };
        Option<string?> algorithmOption = new("--algorithm", "-a")
        {
            Description = "hmac (2.0.2/2.1), cmac (3.0/3.0.2, 3.1.1 default), gmac (3.1.1 when negotiated) or md5 (SMB1). Default: from --dialect.",
            HelpName = "hmac|cmac|gmac|md5",
        };
        Option<string?> dialectOption = new("--dialect", "-d")
        {
            Description = "Dialect the session negotiated (2.0.2, 2.1, 3.0, 3.0.2, 3.1.1, smb1); picks the default algorithm.",
            HelpName = "DIALECT",
        };
        Option<FileInfo?> keyFileOption = new("--key-file")
        {
            Description = $"File holding the signing key in hex (or raw bytes). Default: the {KeyVariable} environment variable (hex).",
            HelpName = "FILE",
        };
        Option<string?> roleOption = new("--role")
        {
            Description = "Who sent the message, for the AES-GMAC nonce: client or server. Default: the SERVER_TO_REDIR flag.",
            HelpName = "client|server",
        };
        roleOption.AcceptOnlyFromAmong("client", "server");
        Option<uint?> sequenceOption = new("--sequence")
        {
            Description = "SMB1 sequence number the message is signed with (request n, its response n+1).",
            HelpName = "N",
        };
        Option<OutputFormat> format = CommonOptions.Format(OutputFormat.Table, OutputFormat.Json);

        Command command = new(
            "signature",
            $"Compute the signature of an SMB2/3 or SMB1 message and check the one it carries. The key (hex) comes from {KeyVariable} or --key-file. " +
            "Exit codes: 0 signature matches (or message unsigned: computed only), 1 mismatch, 2 input error.")
        {
            hexArgument, hexOption, fileOption, algorithmOption, dialectOption, keyFileOption, roleOption, sequenceOption, format,
        };

        command.SetAction(parseResult =>
        {
            byte[] input = ReadMessage(parseResult.GetValue(hexArgument), parseResult.GetValue(hexOption), parseResult.GetValue(fileOption));
            byte[] key = ReadKey(services, parseResult.GetValue(keyFileOption));
            try
            {
                Smb2SenderRole role = parseResult.GetValue(roleOption) switch
                {
                    "client" => Smb2SenderRole.Client,
                    "server" => Smb2SenderRole.Server,
                    _ => Smb2SenderRole.FromFlags,
                };
                SignatureReport report = Compute(
                    input, key, parseResult.GetValue(algorithmOption), parseResult.GetValue(dialectOption), role, parseResult.GetValue(sequenceOption));
                if (parseResult.GetValue(format) == OutputFormat.Json)
                {
                    services.Out.WriteLine(ReportMetadata.Stamp(JsonSerializer.Serialize(report, SignatureJsonContext.Default.SignatureReport), services.Time));
                }
                else
                {
                    RenderTable(services.Console, report);
                }

                return report.Matches == false ? ExitCodes.Findings : ExitCodes.Success;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        });
        return command;
    }

    internal static SignatureReport Compute(byte[] input, byte[] key, string? algorithmText, string? dialectText, Smb2SenderRole role, uint? sequence)
    {
        ReadOnlySpan<byte> message = StripTransportPrefix(input, out bool hadPrefix);
        bool isSmb1 = message.Length >= 4 && message[..4].SequenceEqual(Smb1Signing.ProtocolId);
        if (!isSmb1)
        {
            RequireSmb2(message);
        }

        Dialect? dialect = null;
        if (dialectText is not null)
        {
            if (!DialectInfo.TryParse(dialectText, out Dialect parsed) || parsed == Dialect.Smb2Wildcard)
            {
                throw new CliException($"--dialect: '{dialectText}' is not a dialect (2.0.2, 2.1, 3.0, 3.0.2, 3.1.1, smb1).");
            }

            dialect = parsed;
        }

        SigningAlgorithm algorithm = ResolveAlgorithm(algorithmText, dialect, isSmb1, out string? note);
        var notes = new List<string>();
        if (note is not null)
        {
            notes.Add(note);
        }

        if (hadPrefix)
        {
            notes.Add("Skipped the 4-byte transport (NBSS) prefix; it is not signed.");
        }

        return isSmb1
            ? ComputeSmb1(message, key, sequence, notes)
            : ComputeSmb2(message, key, algorithm, role, notes);
    }

    private static SignatureReport ComputeSmb2(ReadOnlySpan<byte> frame, byte[] key, SigningAlgorithm algorithm, Smb2SenderRole role, List<string> notes)
    {
        if (algorithm is SigningAlgorithm.AesCmac or SigningAlgorithm.AesGmac && key.Length != 16)
        {
            throw new CliException($"{algorithm.ToDisplayString()} needs a 16-byte signing key; the key has {key.Length} byte(s).");
        }

        var rows = new List<MessageSignature>();
        using var signer = new Smb2MessageSigner(algorithm, key);
        foreach (Smb2CompoundMessage entry in Smb2Compound.Enumerate(frame))
        {
            byte[] copy = frame[entry.Range].ToArray();
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(Smb2Header.FlagsOffset));
            bool signed = (flags & (uint)Smb2Flags.Signed) != 0;
            string existing = Convert.ToHexString(copy.AsSpan(Smb2Header.SignatureOffset, Smb2Header.SignatureSize));

            // The SIGNED flag is covered by the MAC: compute the signature the message carries once signed.
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(Smb2Header.FlagsOffset), flags | (uint)Smb2Flags.Signed);
            byte[] signature = new byte[Smb2Header.SignatureSize];
            signer.ComputeSignature(copy, signature, role);
            bool? matches = signed
                ? CryptographicOperations.FixedTimeEquals(signature, copy.AsSpan(Smb2Header.SignatureOffset, Smb2Header.SignatureSize))
                : null;
            Smb2Header header = Smb2Header.Read(copy);
            rows.Add(new MessageSignature(
                entry.Index,
                entry.Offset,
                entry.Length,
                header.Command.ToString(),
                header.IsResponse ? "response" : "request",
                header.MessageId,
                Convert.ToHexString(signature),
                signed ? existing : null,
                matches));
        }

        if (rows.Any(r => r.Matches is null))
        {
            notes.Add("A message without SMB2_FLAGS_SIGNED is unsigned: the signature shown is the one it would carry once signed.");
        }

        return Summarize(algorithm, rows, notes);
    }

    private static SignatureReport ComputeSmb1(ReadOnlySpan<byte> message, byte[] key, uint? sequence, List<string> notes)
    {
        if (message.Length < Smb1Signing.HeaderSize)
        {
            throw new CliException($"An SMB1 message has at least {Smb1Signing.HeaderSize} bytes; this one has {message.Length}.");
        }

        if (sequence is null)
        {
            throw new CliException("SMB1 (MD5) signatures depend on the sequence number: pass --sequence N (the activating SESSION_SETUP request is 0, its response 1, then requests n and responses n+1).");
        }

        byte[] copy = message.ToArray();
        ushort flags2 = BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(Smb1Signing.Flags2Offset));
        bool signed = (flags2 & Smb1Signing.Flags2SecuritySignature) != 0;
        string existing = Convert.ToHexString(copy.AsSpan(Smb1Signing.SignatureOffset, Smb1Signing.SignatureSize));
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(Smb1Signing.Flags2Offset), (ushort)(flags2 | Smb1Signing.Flags2SecuritySignature));
        byte[] signature = new byte[Smb1Signing.SignatureSize];
        using var signer = new Smb1MessageSigner(key);
        signer.ComputeSignature(copy, sequence.Value, signature);
        bool? matches = signed
            ? CryptographicOperations.FixedTimeEquals(signature, copy.AsSpan(Smb1Signing.SignatureOffset, Smb1Signing.SignatureSize))
            : null;
        if (!signed)
        {
            notes.Add("Flags2 lacks SMB_FLAGS2_SMB_SECURITY_SIGNATURE: the message is unsigned; the signature shown is the one it would carry.");
        }

        var row = new MessageSignature(
            0, 0, copy.Length, "0x" + copy[4].ToString("X2", CultureInfo.InvariantCulture), (copy[9] & 0x80) != 0 ? "response" : "request",
            BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(30)), Convert.ToHexString(signature), signed ? existing : null, matches);
        return Summarize(SigningAlgorithm.Md5Smb1, [row], notes);
    }

    private static SignatureReport Summarize(SigningAlgorithm algorithm, List<MessageSignature> rows, List<string> notes)
    {
        bool? matches = rows.Any(r => r.Matches == false) ? false
            : rows.Any(r => r.Matches == true) ? true
            : null;
        return new SignatureReport(algorithm.ToDisplayString(), rows[0].Signature, matches, rows.Count > 1 ? rows : null)
        {
            Rows = rows,
            Notes = notes,
        };
    }

    private static SigningAlgorithm ResolveAlgorithm(string? algorithmText, Dialect? dialect, bool isSmb1, out string? note)
    {
        note = null;
        SigningAlgorithm algorithm;
        if (algorithmText is not null)
        {
            if (!SigningAlgorithmInfo.TryParse(algorithmText, out algorithm))
            {
                throw new CliException($"--algorithm: '{algorithmText}' is not one of hmac, cmac, gmac, md5.");
            }
        }
        else if (dialect is not null)
        {
            algorithm = dialect.Value.DefaultSigningAlgorithm();
            if (dialect == Dialect.Smb311)
            {
                note = "3.1.1 signs with the algorithm SIGNING_CAPABILITIES selected; AES-CMAC when none was. Pass --algorithm gmac or hmac if the session negotiated another.";
            }
        }
        else if (isSmb1)
        {
            algorithm = SigningAlgorithm.Md5Smb1;
        }
        else
        {
            throw new CliException("Which algorithm signs this SMB2 message? Pass --algorithm hmac|cmac|gmac or --dialect (2.0.2/2.1 → hmac, 3.0/3.0.2/3.1.1 → cmac).");
        }

        if (isSmb1 && algorithm != SigningAlgorithm.Md5Smb1)
        {
            throw new CliException($"The message is SMB1 (FF 'SMB'), which is signed with MD5, not {algorithm.ToDisplayString()}.");
        }

        if (!isSmb1 && algorithm == SigningAlgorithm.Md5Smb1)
        {
            throw new CliException("The message is SMB2/3 (FE 'SMB'); MD5 signing is SMB1 only. Use --algorithm hmac, cmac or gmac.");
        }

        return algorithm;
    }

    private static void RequireSmb2(ReadOnlySpan<byte> message)
    {
        if (message.Length >= 4 && message[..4].SequenceEqual(Smb2Header.TransformProtocolId))
        {
            throw new CliException("This is an encrypted SMB3 TRANSFORM message (FD 'SMB'): it is not signed; its integrity comes from the AEAD tag.");
        }

        if (message.Length >= 4 && message[..4].SequenceEqual(Smb2Header.CompressionProtocolId))
        {
            throw new CliException("This is a compressed SMB3 message (FC 'SMB'): decompress it first; signatures cover the decompressed message.");
        }

        if (!Smb2Header.HasSmb2ProtocolId(message))
        {
            string start = Convert.ToHexString(message[..Math.Min(4, message.Length)]);
            throw new CliException($"Not an SMB message: expected FE 53 4D 42 (SMB2/3) or FF 53 4D 42 (SMB1) at byte 0, found '{start}'.");
        }

        if (message.Length < Smb2Header.Size)
        {
            throw new CliException($"An SMB2 message has at least {Smb2Header.Size} bytes (the header); this one has {message.Length}.");
        }
    }

    /// <summary>Drops a 4-byte Direct TCP / NBSS session-message prefix whose length matches the rest.</summary>
    private static ReadOnlySpan<byte> StripTransportPrefix(byte[] input, out bool hadPrefix)
    {
        hadPrefix = false;
        if (input.Length >= 8 && input[0] == 0x00 && input[5] == 0x53 && input[6] == 0x4D && input[7] == 0x42 && input[4] is 0xFE or 0xFF or 0xFD or 0xFC)
        {
            int length = (input[1] << 16) | (input[2] << 8) | input[3];
            if (length != input.Length - 4)
            {
                throw new CliException($"The 4-byte transport prefix announces {length} byte(s), but {input.Length - 4} follow it.");
            }

            hadPrefix = true;
            return input.AsSpan(4);
        }

        return input;
    }

    private static byte[] ReadMessage(string? positional, string? hex, FileInfo? file)
    {
        int sources = (positional is null ? 0 : 1) + (hex is null ? 0 : 1) + (file is null ? 0 : 1);
        if (sources != 1)
        {
            throw new CliException(sources == 0
                ? "Give the message: as hex (argument or --hex HEX) or as a binary file (--file PATH)."
                : "Give the message only once: a hex argument, --hex, or --file.");
        }

        if (file is not null)
        {
            if (!file.Exists)
            {
                throw new CliException(Directory.Exists(file.FullName)
                    ? $"--file: '{file.FullName}' is a folder; give the file that holds the message."
                    : $"--file: '{file.FullName}' does not exist.");
            }

            if (file.Length > Protocol.Framing.DirectTcpFraming.DefaultMaxFrameSize + 4)
            {
                throw new CliException($"--file: '{file.FullName}' has {file.Length} bytes; an SMB frame has at most {Protocol.Framing.DirectTcpFraming.DefaultMaxFrameSize}.");
            }

            try
            {
                return File.ReadAllBytes(file.FullName);
            }
            catch (Exception e) when (IoErrors.IsFileProblem(e))
            {
                throw new CliException($"--file: cannot read '{file.FullName}': {e.Message}", e);
            }
        }

        return ParseHex(positional ?? hex!, positional is null ? "--hex" : "the hex argument");
    }

    private static byte[] ReadKey(CliServices services, FileInfo? keyFile)
    {
        if (keyFile is not null)
        {
            if (!keyFile.Exists)
            {
                throw new CliException(Directory.Exists(keyFile.FullName)
                    ? $"--key-file: '{keyFile.FullName}' is a folder; give the file that holds the key."
                    : $"--key-file: '{keyFile.FullName}' does not exist.");
            }

            byte[] raw;
            try
            {
                raw = File.ReadAllBytes(keyFile.FullName);
            }
            catch (Exception e) when (IoErrors.IsFileProblem(e))
            {
                throw new CliException($"--key-file: cannot read '{keyFile.FullName}': {e.Message}", e);
            }

            string text = System.Text.Encoding.ASCII.GetString(raw).Trim();
            byte[] key = TryParseHex(text, out byte[] parsed, out _) && parsed.Length > 0 ? parsed : raw;
            if (!ReferenceEquals(key, raw))
            {
                CryptographicOperations.ZeroMemory(raw);
            }

            if (key.Length == 0)
            {
                throw new CliException($"--key-file: '{keyFile.FullName}' is empty.");
            }

            return key;
        }

        string? variable = services.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(variable))
        {
            throw new CliException($"No signing key: set {KeyVariable} to the key in hex, or pass --key-file FILE. Keys are never taken from the command line.");
        }

        if (!TryParseHex(variable, out byte[] fromVariable, out int badPosition) || fromVariable.Length == 0)
        {
            throw new CliException(badPosition >= 0
                ? $"{KeyVariable} is not hex (character {badPosition + 1} is not a hex digit)."
                : $"{KeyVariable} is not hex (odd number of hex digits).");
        }

        return fromVariable;
    }

    private static byte[] ParseHex(string text, string source)
    {
        if (!TryParseHex(text, out byte[] bytes, out int badPosition))
        {
            throw new CliException(badPosition >= 0
                ? $"{source}: character {badPosition + 1} ('{text[badPosition]}') is not a hex digit."
                : $"{source}: odd number of hex digits.");
        }

        if (bytes.Length == 0)
        {
            throw new CliException($"{source}: the message is empty.");
        }

        return bytes;
    }

    /// <summary>Hex digits with optional whitespace, ':' or '-' separators and an optional 0x prefix.</summary>
    internal static bool TryParseHex(string text, out byte[] bytes, out int badPosition)
    {
        bytes = [];
        badPosition = -1;
        int start = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 2 : 0;
        var digits = new System.Text.StringBuilder(text.Length);
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsAsciiHexDigit(c))
            {
                digits.Append(c);
            }
            else if (!char.IsWhiteSpace(c) && c is not ':' and not '-')
            {
                badPosition = i;
                return false;
            }
        }

        if (digits.Length % 2 != 0)
        {
            return false;
        }

        bytes = Convert.FromHexString(digits.ToString());
        return true;
    }

    private static void RenderTable(IAnsiConsole console, SignatureReport report)
    {
        console.WriteLine($"Algorithm: {report.Algorithm}");
        foreach (MessageSignature row in report.Rows)
        {
            string position = report.Rows.Count == 1
                ? $"{row.Length} bytes"
                : $"message {row.Index + 1} of {report.Rows.Count}, bytes {row.Offset}..{row.Offset + row.Length}";
            console.WriteLine($"Message: {row.Command} {row.Direction}, MessageId {row.MessageId.ToString(CultureInfo.InvariantCulture)}, {position}");
            console.WriteLine($"  Computed signature:   {row.Signature}");
            console.WriteLine($"  Signature in message: {row.Existing ?? "(unsigned)"}");
            console.WriteLine($"  Matches:              {row.Matches switch { true => "yes", false => "NO", null => "- (not signed)" }}");
        }

        string verdict = report.Matches switch
        {
            true => "The signature matches.",
            false => "MISMATCH: the message's signature is not the one computed with this key and algorithm.",
            null => "The message is not signed; the signature was computed only.",
        };
        console.WriteLine(verdict);
        foreach (string note in report.Notes)
        {
            console.WriteLine("Note: " + note);
        }
    }
}

/// <summary>One message's result (several for a compound chain).</summary>
internal sealed record MessageSignature(
    int Index,
    int Offset,
    int Length,
    string Command,
    string Direction,
    ulong MessageId,
    string Signature,
    string? Existing,
    bool? Matches);

/// <summary>JSON: <c>{"algorithm", "signature", "matches"}</c>, plus <c>messages</c> for compound chains.</summary>
internal sealed record SignatureReport(
    string Algorithm,
    string Signature,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] bool? Matches,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MessageSignature>? Messages)
{
    [JsonIgnore]
    public IReadOnlyList<MessageSignature> Rows { get; init; } = [];

    [JsonIgnore]
    public IReadOnlyList<string> Notes { get; init; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SignatureReport))]
internal sealed partial class SignatureJsonContext : JsonSerializerContext;
