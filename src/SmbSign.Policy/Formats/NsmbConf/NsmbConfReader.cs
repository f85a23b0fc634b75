using System.Collections.Frozen;
using System.Globalization;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.NsmbConf;

/// <summary>Reads macOS <c>nsmb.conf</c> (nsmb.conf(5)): INI sections <c>[default]</c>, <c>[SERVER]</c>,
/// <c>[SERVER:SHARE]</c> with <c>key=value</c> lines, <c>#</c>/<c>;</c> comments. Signing-relevant keys are
/// <c>signing_required</c> (yes/no ≈ client RequireSecuritySignature), <c>signing_req_vers</c> (bitmap: 2 SMB2,
/// 4 SMB3; default 6), <c>protocol_vers_map</c> (1 SMB1, 2 SMB2, 4 SMB3; default 7), <c>signing_alg_map</c>,
/// <c>minauth</c> and <c>validate_neg_off</c>. Observations are native (<see cref="NativeSchemes.NsmbConf"/>);
/// booleans normalise to <c>true</c>/<c>false</c>, numbers (decimal or 0x hex) to decimal, <c>minauth</c> to
/// lower case.</summary>
/// <remarks>Codes: NSM001 line without '=', NSM002 key outside a section, NSM003 unknown key, NSM004 value not valid
/// for the key, NSM005 unterminated section header, NSM006 not text in a supported encoding (error; nothing read).</remarks>
public sealed class NsmbConfReader : SourceReader
{
    private static readonly FrozenSet<string> _booleans = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "signing_required", "validate_neg_off", "streams", "notify_off", "soft", "file_ids_off", "dir_cache_off",
        "mc_on", "mc_prefer_wired", "force_sess_encrypt", "force_share_encrypt", "unix_extensions", "compression_off");

    private static readonly FrozenSet<string> _numbers = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "signing_req_vers", "protocol_vers_map", "signing_alg_map", "encrypt_cipher_map", "dir_cache_max", "dir_cache_min",
        "dir_cache_max_cnt", "max_resp_timeout", "mc_client_rss_rings", "mc_max_channels", "mc_max_rss_channels",
        "compression_algorithms_map");

    private static readonly FrozenSet<string> _text = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "minauth", "port445", "mc_client_if_blacklist", "kerberos_enabled", "netbios_before_dns", "username", "workgroup",
        "addr", "nbtimeout", "nbns", "nbns_enable", "nbns_broadcast", "password", "retry_count", "timeout");

    /// <inheritdoc/>
    public override SourceFormat Format => SourceFormat.NsmbConf;

    /// <inheritdoc/>
    protected internal override void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context)
    {
        DecodedText decoded = TextDecoding.Decode(content);
        if (TextDecoding.FindNotText(content, decoded, out long badOffset) is { } notText)
        {
            context.ErrorAtOffset(badOffset, DiagnosticCodes.Nsm006, notText + "; not read as nsmb.conf");
            return;
        }

        LineReader lines = new(decoded.Text.AsSpan());
        string? section = null;
        while (lines.TryReadLine(out ReadOnlySpan<char> raw))
        {
            int lineNumber = lines.LineNumber;
            ReadOnlySpan<char> line = raw.Trim();
            if (line.IsEmpty || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                int close = line.IndexOf(']');
                if (close < 0)
                {
                    context.WarningAtLine(lineNumber, DiagnosticCodes.Nsm005, "section header has no closing ']'; expected [default], [SERVER] or [SERVER:SHARE]");
                    section = null;
                    continue;
                }

                section = line[1..close].Trim().ToString();
                if (section.Equals("default", StringComparison.OrdinalIgnoreCase))
                {
                    section = "default";
                }

                continue;
            }

            int eq = line.IndexOf('=');
            if (eq <= 0)
            {
                context.WarningAtLine(lineNumber, DiagnosticCodes.Nsm001, $"expected key=value, found \"{TextDecoding.Excerpt(line)}\"; ignored");
                continue;
            }

            string key = line[..eq].Trim().ToString().ToLowerInvariant();
            string value = line[(eq + 1)..].Trim().ToString();
            if (section is null)
            {
                context.WarningAtLine(lineNumber, DiagnosticCodes.Nsm002, $"\"{TextDecoding.Excerpt(key)}\" appears before any section; expected it under [default]; ignored");
                continue;
            }

            string? normalized = Normalize(key, value, lineNumber, context);
            if (normalized is null)
            {
                continue;
            }

            context.Add(Observation.ForNative(new NativeSetting(NativeSchemes.NsmbConf, section, key), new NativeValue(value, normalized), context.Line(lineNumber)));
        }
    }

    private static string? Normalize(string key, string value, int lineNumber, SourceReadContext context)
    {
        if (_booleans.Contains(key))
        {
            string? b = value.ToLowerInvariant() switch
            {
                "yes" or "true" or "1" or "on" => "true",
                "no" or "false" or "0" or "off" => "false",
                _ => null,
            };
            if (b is null)
            {
                context.WarningAtLine(lineNumber, DiagnosticCodes.Nsm004, $"\"{TextDecoding.Excerpt(value)}\" is not a boolean for {key}; expected yes or no");
                return value;
            }

            return b;
        }

        if (_numbers.Contains(key))
        {
            bool ok = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong n)
                : ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out n);
            if (!ok)
            {
                context.WarningAtLine(lineNumber, DiagnosticCodes.Nsm004, $"\"{TextDecoding.Excerpt(value)}\" is not a number for {key}; expected decimal or 0x hexadecimal (e.g. 6)");
                return value;
            }

            return n.ToString(CultureInfo.InvariantCulture);
        }

        if (_text.Contains(key))
        {
            return key == "minauth" ? value.ToLowerInvariant() : value;
        }

        context.WarningAtLine(lineNumber, DiagnosticCodes.Nsm003, $"unknown key \"{TextDecoding.Excerpt(key)}\"; expected an nsmb.conf(5) key such as signing_required, signing_req_vers, protocol_vers_map, signing_alg_map, minauth or validate_neg_off");
        return value;
    }
}
