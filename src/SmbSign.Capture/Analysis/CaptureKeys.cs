using System.Globalization;
using System.Security.Cryptography;
using SmbSign.Protocol;
using SmbSign.Protocol.Errors;
using SmbSign.Protocol.Kerberos;
using SmbSign.Protocol.Security.Ntlm;

namespace SmbSign.Capture.Analysis;

/// <summary>A keys file line that cannot be read; the message starts with "FILE:LINE:" and never contains key bytes.</summary>
public sealed class CaptureKeysFileException : InputException
{
    public CaptureKeysFileException(string message)
        : base(message)
    {
    }

    public CaptureKeysFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CaptureKeysFileException()
    {
    }
}

/// <summary>One session key from a keys file.</summary>
/// <param name="WireOrderId">The session id read as the 8 header bytes in wire order (Wireshark's "SMB2 Session Keys" table).</param>
/// <param name="NumericId">The session id read as a number, as Wireshark displays <c>smb2.sesid</c>.</param>
/// <param name="SessionKey">The session key (16 or 32 bytes).</param>
/// <param name="Line">1-based line in the file.</param>
internal sealed record CaptureSessionKey(ulong WireOrderId, ulong NumericId, byte[] SessionKey, int Line);

/// <summary>
/// What the capture analyzer may use to verify signatures: a user's password (kept only as its NT hash, NTOWFv1) and/or
/// session keys by session id. Secrets never appear in <see cref="ToString"/>, reports or exception messages. Dispose to
/// wipe them.
/// </summary>
public sealed class CaptureCredentials : IDisposable
{
    private const int MaxKeyFileBytes = 16 * 1024 * 1024;

    private readonly List<CaptureSessionKey> _keys = [];
    private readonly Dictionary<ulong, CaptureSessionKey> _byWireOrder = [];
    private readonly Dictionary<ulong, CaptureSessionKey> _byNumber = [];
    private readonly Dictionary<string, byte[]> _ntOwfV2 = new(StringComparer.Ordinal);
    private readonly List<KeytabEntry> _keytab = [];
    private byte[]? _ntHash;

    /// <summary>The user whose password was given ([DOMAIN\]USER, matched case-insensitively against the captured
    /// AUTHENTICATE; an empty domain matches any).</summary>
    public string? User { get; private set; }

    public string? Domain { get; private set; }

    public bool HasPassword => _ntHash is not null;

    public int SessionKeyCount => _keys.Count;

    /// <summary>Keys read from keytabs (all types; only AES-SHA1 and RC4 ones can decrypt).</summary>
    public int KeytabEntryCount => _keytab.Count;

    /// <summary>Keytab files loaded (an empty keytab still counts: Kerberos sessions then report "no key for …").</summary>
    public int KeytabFileCount { get; private set; }

    internal IReadOnlyList<KeytabEntry> KeytabEntries => _keytab;

    /// <summary>
    /// Adds the keys of an MIT keytab (format 0x502: <c>ktutil</c>, <c>samba-tool domain exportkeytab</c>, <c>ktpass</c>)
    /// for decrypting the Kerberos tickets of captured SESSION_SETUPs. A malformed file throws
    /// <see cref="CaptureKeysFileException"/> whose message is "FILE: offset N: what was expected" (no key bytes).
    /// </summary>
    public void LoadKeytab(ReadOnlySpan<byte> contents, string fileName)
    {
        IReadOnlyList<KeytabEntry> entries;
        try
        {
            entries = Keytab.Parse(contents);
        }
        catch (SmbProtocolException e)
        {
            string message = e.Message.StartsWith("keytab: ", StringComparison.Ordinal) ? e.Message["keytab: ".Length..] : e.Message;
            throw new CaptureKeysFileException($"{fileName}: {message}", e);
        }

        _keytab.AddRange(entries);
        KeytabFileCount++;
    }

    /// <summary>Credentials from a password. Only MD4(UTF-16LE(password)) is kept.</summary>
    public static CaptureCredentials FromPassword(string user, string? domain, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        return new CaptureCredentials { User = user, Domain = string.IsNullOrEmpty(domain) ? null : domain, _ntHash = NtlmCrypto.NtOwfV1(password) };
    }

    /// <summary>Credentials with no password (add keys with <see cref="LoadKeysFile"/>).</summary>
    public static CaptureCredentials Empty() => new();

    /// <summary>
    /// Reads a keys file: one <c>SESSION_ID SESSION_KEY</c> per line (hex; separated by spaces, tabs or a comma; optional
    /// double quotes, so Wireshark's <c>smb2_seskey_list</c> file works; further columns such as Wireshark's
    /// server-to-client and client-to-server keys are ignored). Blank lines and lines starting with <c>#</c> are skipped.
    /// A session id of 16 hex digits without <c>0x</c> is taken in both byte orders: as wire bytes (Wireshark's table)
    /// and as a number (as Wireshark displays <c>smb2.sesid</c>); with <c>0x</c> only as a number. The session key is
    /// 16 bytes (or 32 for AES-256 sessions; signing uses its first 16).
    /// </summary>
    public void LoadKeysFile(TextReader reader, string fileName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int lineNumber = 0;
        long total = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            total += line.Length + 1;
            if (total > MaxKeyFileBytes)
            {
                throw new CaptureKeysFileException($"{fileName}:{lineNumber}: the keys file is larger than {MaxKeyFileBytes / (1024 * 1024)} MiB.");
            }

            string text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            string[] fields = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length < 2)
            {
                throw new CaptureKeysFileException($"{fileName}:{lineNumber}: expected 'SESSION_ID SESSION_KEY' (hex), found {fields.Length} field(s).");
            }

            string idText = Unquote(fields[0]);
            string keyText = Unquote(fields[1]);
            bool numericOnly = idText.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            string idHex = numericOnly ? idText[2..] : idText;
            if (idHex.Length is 0 or > 16 || !IsHex(idHex) || (!numericOnly && idHex.Length != 16))
            {
                // Not echoed either: with the columns swapped this field holds the session key.
                bool looksLikeKey = IsHex(idText) && idText.Length is 32 or 64;
                throw new CaptureKeysFileException(
                    $"{fileName}:{lineNumber}: the session id (first field) must be 16 hex digits (or 0x followed by up to 16 hex digits); found {idText.Length} character(s)" +
                    (looksLikeKey ? " that look like a session key: are the two columns swapped? (expected 'SESSION_ID SESSION_KEY')." : IsHex(idHex) ? "." : " that are not all hex digits."));
            }

            if (!IsHex(keyText) || keyText.Length is not (32 or 64))
            {
                // The key itself is never echoed: only its length.
                throw new CaptureKeysFileException(
                    $"{fileName}:{lineNumber}: the session key must be 32 or 64 hex digits (16 or 32 bytes); found {keyText.Length} character(s){(IsHex(keyText) ? string.Empty : " that are not all hex digits")}.");
            }

            ulong number = ulong.Parse(idHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong wire = numericOnly ? number : ReverseBytes(number);
            var entry = new CaptureSessionKey(wire, number, Convert.FromHexString(keyText), lineNumber);
            _keys.Add(entry);
            if (!numericOnly)
            {
                _byWireOrder.TryAdd(wire, entry);
            }

            _byNumber.TryAdd(number, entry);
        }
    }

    /// <summary>The session key for <paramref name="sessionId"/> (the header's u64); wire-order matches win over
    /// numeric ones. Null when the file has none.</summary>
    internal CaptureSessionKey? FindSessionKey(ulong sessionId) =>
        _byWireOrder.GetValueOrDefault(sessionId) ?? _byNumber.GetValueOrDefault(sessionId);

    /// <summary>True when the password's user matches the captured AUTHENTICATE's user (and domain, when one was given).</summary>
    internal bool MatchesUser(string? user, string? domain) =>
        _ntHash is not null && User is not null && string.Equals(User, user, StringComparison.OrdinalIgnoreCase)
        && (Domain is null || string.Equals(Domain, domain, StringComparison.OrdinalIgnoreCase));

    /// <summary>NTOWFv2 for the user and domain exactly as the AUTHENTICATE spelled them (cached: one HMAC per identity).</summary>
    internal ReadOnlySpan<byte> NtOwfV2(string user, string domain)
    {
        if (_ntHash is null)
        {
            throw new InvalidOperationException("No password was given.");
        }

        string identity = user.ToUpperInvariant() + "\0" + domain;
        if (!_ntOwfV2.TryGetValue(identity, out byte[]? value))
        {
            value = NtlmCrypto.NtOwfV2(_ntHash, user, domain);
            _ntOwfV2.Add(identity, value);
        }

        return value;
    }

    public override string ToString() =>
        $"CaptureCredentials(user: {(User is null ? "none" : (Domain is null ? User : Domain + "\\" + User))}, password: {(HasPassword ? "given" : "none")}, session keys: {_keys.Count}, keytab keys: {_keytab.Count})";

    public void Dispose()
    {
        if (_ntHash is not null)
        {
            CryptographicOperations.ZeroMemory(_ntHash);
        }

        foreach (byte[] value in _ntOwfV2.Values)
        {
            CryptographicOperations.ZeroMemory(value);
        }

        foreach (CaptureSessionKey key in _keys)
        {
            CryptographicOperations.ZeroMemory(key.SessionKey);
        }

        Keytab.Clear(_keytab);
    }

    private static string Unquote(string field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Trim() : field;

    private static bool IsHex(string text) => text.Length > 0 && text.All(char.IsAsciiHexDigit);

    private static ulong ReverseBytes(ulong value) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
}
