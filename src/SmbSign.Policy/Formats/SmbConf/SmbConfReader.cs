using System.Buffers;
using System.Text;
using SmbSign.Policy.Sources;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Formats.SmbConf;

/// <summary>Samba's signing setting (<c>enum_smb_signing_vals</c> in lib/param/param_table.c).</summary>
public enum SambaSigningMode
{
    /// <summary><c>default</c>: server required only on an AD DC; client "desired".</summary>
    Default,

    /// <summary><c>disabled</c>/no/false/0/off (for SMB2 a server still signs when the client requires it).</summary>
    Disabled,

    /// <summary><c>if_required</c>/auto/yes/true/1/on/enabled: sign when the peer requires it.</summary>
    IfRequired,

    /// <summary><c>desired</c>: offer signing.</summary>
    Desired,

    /// <summary><c>required</c>/mandatory/force/forced/enforced.</summary>
    Required,
}

/// <summary>Reads Samba <c>smb.conf</c>: <c>[section]</c> headers (parameters before any header are global),
/// <c>name = value</c> (only the first '=' counts; names case-insensitive with whitespace ignored; synonyms mapped to
/// the canonical Samba name, inverted boolean synonyms flipped), <c>;</c>/<c>#</c> comment lines, <c>\</c> line
/// continuations, and <c>include = FILE</c> (relative to the including file, cycles and depth &gt; 16 refused,
/// Samba <c>%</c> substitutions not followed). Observations are native (<see cref="NativeSchemes.SmbConf"/>, section
/// in lower case); the normalised value is <c>true</c>/<c>false</c> for booleans, a <see cref="SambaSigningMode"/>
/// token (<c>default</c>, <c>disabled</c>, <c>if_required</c>, <c>desired</c>, <c>required</c>) for the signing
/// parameters, <c>off</c>/<c>if_required</c>/<c>desired</c>/<c>required</c>/<c>default</c> for the encryption
/// parameters and the canonical protocol name (<c>SMB2_02</c> … <c>SMB3_11</c>, <c>NT1</c>) for the protocol
/// bounds. No Windows registry value is invented for them.</summary>
/// <remarks>Codes: SMB001 text before '=' missing / line without '=', SMB002 unterminated section header, SMB003
/// unknown parameter, SMB004 include cycle or too deep, SMB005 include not readable, SMB006 include with a
/// substitution not followed, SMB007 value not valid for the parameter, SMB008 continuation at end of file, SMB009 not text in a supported encoding (error; nothing read).</remarks>
public sealed class SmbConfReader : SourceReader
{
    /// <summary>Deepest include nesting followed.</summary>
    public const int MaxIncludeDepth = 16;

    private const string Global = "global";
    private static readonly string[] _signingParameters = ["server signing", "client signing", "client ipc signing"];
    private static readonly string[] _encryptParameters = ["server smb encrypt", "client smb encrypt"];
    private static readonly string[] _protocolParameters = ["server min protocol", "server max protocol", "client min protocol", "client max protocol", "client ipc min protocol", "client ipc max protocol"];

    /// <inheritdoc/>
    public override SourceFormat Format => SourceFormat.SmbConf;

    /// <summary>Parses a signing value as Samba does (case-insensitive); false for anything else.</summary>
    public static bool TryParseSigning(string? text, out SambaSigningMode mode)
    {
        mode = SambaSigningMode.Default;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "default":
                return true;
            case "no" or "false" or "0" or "off" or "disabled":
                mode = SambaSigningMode.Disabled;
                return true;
            case "if_required" or "yes" or "true" or "1" or "on" or "enabled" or "auto":
                mode = SambaSigningMode.IfRequired;
                return true;
            case "desired":
                mode = SambaSigningMode.Desired;
                return true;
            case "required" or "mandatory" or "force" or "forced" or "enforced":
                mode = SambaSigningMode.Required;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The normalised token of a <see cref="SambaSigningMode"/> (as used in <see cref="NativeValue.Normalized"/>).</summary>
    public static string ToToken(SambaSigningMode mode) => mode switch
    {
        SambaSigningMode.Disabled => "disabled",
        SambaSigningMode.IfRequired => "if_required",
        SambaSigningMode.Desired => "desired",
        SambaSigningMode.Required => "required",
        _ => "default",
    };

    /// <inheritdoc/>
    protected internal override void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context)
    {
        string section = Global;
        List<string> chain = [FullPathOrName(context.Source)];
        ParseFile(content, context.Source, context, chain, ref section);
    }

    private void ParseFile(ReadOnlySpan<byte> content, string file, SourceReadContext context, List<string> chain, ref string section)
    {
        DecodedText decoded = TextDecoding.Decode(content);
        if (TextDecoding.FindNotText(content, decoded, out long badOffset) is { } notText)
        {
            // No header to reject garbage with: random bytes would otherwise read as a few unknown parameters and no setting.
            context.Report(DiagnosticSeverity.Error, DiagnosticCodes.Smb009, notText + "; not read as smb.conf", SourceLocation.AtOffset(file, Format, badOffset));
            return;
        }

        LineReader lines = new(decoded.Text.AsSpan());
        StringBuilder? joined = null;
        while (lines.TryReadLine(out ReadOnlySpan<char> raw))
        {
            int lineNumber = lines.LineNumber;
            ReadOnlySpan<char> line = raw.Trim();
            if (line.IsEmpty || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[^1] == '\\')
            {
                joined ??= new StringBuilder();
                joined.Clear().Append(line[..^1]);
                bool complete = false;
                while (lines.TryReadLine(out ReadOnlySpan<char> next))
                {
                    ReadOnlySpan<char> t = next.Trim();
                    if (!t.IsEmpty && t[^1] == '\\')
                    {
                        joined.Append(' ').Append(t[..^1]);
                        continue;
                    }

                    joined.Append(' ').Append(t);
                    complete = true;
                    break;
                }

                if (!complete)
                {
                    Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb008, "the last line ends with '\\' (continuation) but the file ends; read what was there", file, lineNumber);
                }

                line = joined.ToString().AsSpan().Trim();
            }

            if (line[0] == '[')
            {
                int close = line.IndexOf(']');
                if (close < 0)
                {
                    Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb002, "section header has no closing ']'; expected [name]", file, lineNumber);
                    continue;
                }

                section = line[1..close].Trim().ToString().ToLowerInvariant();
                continue;
            }

            int eq = line.IndexOf('=');
            if (eq <= 0)
            {
                Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb001, $"expected \"name = value\", found \"{Shorten(line)}\"; ignored (as Samba does)", file, lineNumber);
                continue;
            }

            ReadOnlySpan<char> name = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim().ToString();
            HandleParameter(name, value, file, lineNumber, context, chain, ref section);
        }
    }

    private void HandleParameter(ReadOnlySpan<char> rawName, string value, string file, int lineNumber, SourceReadContext context, List<string> chain, ref string section)
    {
        SambaParameter? parameter = SambaParameters.Find(rawName);
        string displayName = CollapseSpaces(rawName);
        if (parameter is null)
        {
            if (rawName.Contains(':'))
            {
                Add(context, section, displayName, value, value, file, lineNumber); // parametric option (e.g. "vfs_module:option")
            }
            else
            {
                Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb003, $"unknown parameter \"{TextDecoding.Excerpt(displayName)}\"; expected a Samba smb.conf parameter (this reader knows Samba 4.17's; ignored)", file, lineNumber);
            }

            return;
        }

        if (parameter.Name == "include")
        {
            Include(value, file, lineNumber, context, chain, ref section);
            return;
        }

        if (parameter.Name == "config file")
        {
            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb006, "\"config file\" switches to another file at run time; not followed", file, lineNumber);
        }

        string normalized = Normalize(parameter, value, file, lineNumber, context);
        Add(context, section, parameter.Name, value, normalized, file, lineNumber);
    }

    private string Normalize(SambaParameter parameter, string value, string file, int lineNumber, SourceReadContext context)
    {
        if (_signingParameters.Contains(parameter.Name))
        {
            if (TryParseSigning(value, out SambaSigningMode mode))
            {
                return ToToken(mode);
            }

            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb007, $"\"{TextDecoding.Excerpt(value)}\" is not a valid {parameter.Name}; expected default, auto, mandatory, required, desired or disabled (Samba ignores it)", file, lineNumber);
            return value;
        }

        if (_encryptParameters.Contains(parameter.Name))
        {
            if (TryParseSigning(value, out SambaSigningMode mode))
            {
                return mode == SambaSigningMode.Disabled ? "off" : ToToken(mode);
            }

            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb007, $"\"{TextDecoding.Excerpt(value)}\" is not a valid {parameter.Name}; expected default, off, if_required, desired or required (Samba ignores it)", file, lineNumber);
            return value;
        }

        if (_protocolParameters.Contains(parameter.Name))
        {
            string? protocol = NormalizeProtocol(value);
            if (protocol is not null)
            {
                return protocol;
            }

            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb007, $"\"{TextDecoding.Excerpt(value)}\" is not a valid {parameter.Name}; expected NT1, SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11, SMB2, SMB3 or default (Samba ignores it)", file, lineNumber);
            return value;
        }

        if (parameter.IsBoolean)
        {
            bool? b = value.ToLowerInvariant() switch
            {
                "yes" or "true" or "1" or "on" => true,
                "no" or "false" or "0" or "off" => false,
                _ => null,
            };
            if (b is null)
            {
                Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb007, $"\"{TextDecoding.Excerpt(value)}\" is not a boolean for {parameter.Name}; expected yes/no, true/false, 1/0 or on/off (Samba ignores it)", file, lineNumber);
                return value;
            }

            return (b.Value != parameter.Inverted) ? "true" : "false";
        }

        return value;
    }

    /// <summary>Canonical Samba protocol name: SMB2 = SMB2_10, SMB3 = SMB3_11 (as docs/reference/policy.md §3 says).</summary>
    private static string? NormalizeProtocol(string value) => value.Trim().ToUpperInvariant() switch
    {
        "DEFAULT" => "default",
        "CORE" or "COREPLUS" or "LANMAN1" or "LANMAN2" or "NT1" or "SMB2_02" or "SMB2_10" or "SMB3_00" or "SMB3_02" or "SMB3_11" => value.Trim().ToUpperInvariant(),
        "SMB2" => "SMB2_10",
        "SMB3" => "SMB3_11",
        _ => null,
    };

    private void Include(string target, string file, int lineNumber, SourceReadContext context, List<string> chain, ref string section)
    {
        if (target.Contains('%', StringComparison.Ordinal))
        {
            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb006, $"include \"{TextDecoding.Excerpt(target)}\" uses a Samba substitution that depends on the connecting client; not followed", file, lineNumber);
            return;
        }

        string? baseDirectory = Path.GetDirectoryName(FullPathOrName(file));
        string path = Path.IsPathRooted(target) || string.IsNullOrEmpty(baseDirectory) ? target : Path.Combine(baseDirectory, target);
        string full = FullPathOrName(path);
        if (chain.Contains(full, StringComparer.Ordinal))
        {
            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb004, $"include \"{TextDecoding.Excerpt(target)}\" would read a file that is already being read (include cycle); not followed", file, lineNumber);
            return;
        }

        if (chain.Count > MaxIncludeDepth)
        {
            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb004, $"include \"{TextDecoding.Excerpt(target)}\" is nested deeper than {MaxIncludeDepth} files; not followed", file, lineNumber);
            return;
        }

        FileStream? stream = SourceFiles.TryOpen(path, Format, out SourceReadResult? failure);
        if (stream is null)
        {
            Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb005, $"include \"{TextDecoding.Excerpt(target)}\" cannot be read ({failure!.Diagnostics[0].Message}); skipped", file, lineNumber);
            return;
        }

        byte[]? buffer = null;
        try
        {
            int length;
            string? problem;
            using (stream)
            {
                length = SourceFiles.ReadBounded(stream, MaxFileSize, ref buffer, out problem);
            }

            if (problem is not null)
            {
                Report(context, DiagnosticSeverity.Warning, DiagnosticCodes.Smb005, $"include \"{TextDecoding.Excerpt(target)}\" cannot be read ({problem[(problem.IndexOf('|', StringComparison.Ordinal) + 1)..]}); skipped", file, lineNumber);
                return;
            }

            chain.Add(full);
            ParseFile(buffer.AsSpan(0, length), path, context, chain, ref section);
            chain.RemoveAt(chain.Count - 1);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void Add(SourceReadContext context, string section, string name, string text, string normalized, string file, int lineNumber) =>
        context.Add(Observation.ForNative(
            new NativeSetting(NativeSchemes.SmbConf, section, name),
            new NativeValue(text, normalized),
            new SourceLocation(file, Format, lineNumber, -1)));

    private void Report(SourceReadContext context, DiagnosticSeverity severity, string code, string message, string file, int lineNumber) =>
        context.Report(severity, code, message, new SourceLocation(file, Format, lineNumber, -1));

    private static string FullPathOrName(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return path;
        }
    }

    private static string CollapseSpaces(ReadOnlySpan<char> name)
    {
        StringBuilder sb = new(name.Length);
        bool space = false;
        foreach (char c in name)
        {
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    private static string Shorten(ReadOnlySpan<char> text) => TextDecoding.Excerpt(text);
}
