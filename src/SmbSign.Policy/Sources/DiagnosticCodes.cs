namespace SmbSign.Policy.Sources;

/// <summary>One diagnostic code: the stable code, the severity it is reported with, the input it is about, and what it
/// means (the message of each occurrence says more: the place and what was expected).</summary>
public sealed record DiagnosticCodeInfo(string Code, DiagnosticSeverity Severity, string Input, string Meaning);

/// <summary>
/// Every <see cref="SourceDiagnostic.Code"/> SmbSign reports, in one place. Readers refer to these constants, never to a
/// string literal (DiagnosticCodesTests scans src/ for strays); <see cref="All"/> gives each code's severity and meaning
/// and is what docs/reference/diagnostics.md lists (the test compares the page with it). Codes are stable: a code is
/// never reused for another meaning; a retired code stays out of use.
/// </summary>
public static class DiagnosticCodes
{
    // One constant per code; its meaning is in All below (a second copy here would drift).
    public const string Aud001 = "AUD001";
    public const string Aud002 = "AUD002";
    public const string Gpo001 = "GPO001";
    public const string Gpo002 = "GPO002";
    public const string Inf001 = "INF001";
    public const string Inf002 = "INF002";
    public const string Inf010 = "INF010";
    public const string Inf011 = "INF011";
    public const string Inf012 = "INF012";
    public const string Inf013 = "INF013";
    public const string Inf014 = "INF014";
    public const string Inf015 = "INF015";
    public const string Int001 = "INT001";
    public const string Int002 = "INT002";
    public const string Int003 = "INT003";
    public const string Int004 = "INT004";
    public const string Int005 = "INT005";
    public const string Int006 = "INT006";
    public const string Int007 = "INT007";
    public const string Int008 = "INT008";
    public const string Liv001 = "LIV001";
    public const string Liv002 = "LIV002";
    public const string Liv003 = "LIV003";
    public const string Nsm001 = "NSM001";
    public const string Nsm002 = "NSM002";
    public const string Nsm003 = "NSM003";
    public const string Nsm004 = "NSM004";
    public const string Nsm005 = "NSM005";
    public const string Nsm006 = "NSM006";
    public const string Pol001 = "POL001";
    public const string Pol002 = "POL002";
    public const string Pol010 = "POL010";
    public const string Pol011 = "POL011";
    public const string Pol012 = "POL012";
    public const string Pol013 = "POL013";
    public const string Pol014 = "POL014";
    public const string Pol015 = "POL015";
    public const string Pol016 = "POL016";
    public const string Pol020 = "POL020";
    public const string Pol021 = "POL021";
    public const string Pol022 = "POL022";
    public const string Pol023 = "POL023";
    public const string Psj001 = "PSJ001";
    public const string Psj002 = "PSJ002";
    public const string Psj003 = "PSJ003";
    public const string Psj004 = "PSJ004";
    public const string Psj005 = "PSJ005";
    public const string Psj006 = "PSJ006";
    public const string Psj007 = "PSJ007";
    public const string Psj008 = "PSJ008";
    public const string Reg001 = "REG001";
    public const string Reg002 = "REG002";
    public const string Reg003 = "REG003";
    public const string Reg004 = "REG004";
    public const string Reg010 = "REG010";
    public const string Reg011 = "REG011";
    public const string Reg012 = "REG012";
    public const string Reg020 = "REG020";
    public const string Reg021 = "REG021";
    public const string Reg022 = "REG022";
    public const string Reg023 = "REG023";
    public const string Reg030 = "REG030";
    public const string Reg031 = "REG031";
    public const string Reg032 = "REG032";
    public const string Reg033 = "REG033";
    public const string Reg034 = "REG034";
    public const string Reg035 = "REG035";
    public const string Reg041 = "REG041";
    public const string Rrp001 = "RRP001";
    public const string Rrp002 = "RRP002";
    public const string Rrp003 = "RRP003";
    public const string Smb001 = "SMB001";
    public const string Smb002 = "SMB002";
    public const string Smb003 = "SMB003";
    public const string Smb004 = "SMB004";
    public const string Smb005 = "SMB005";
    public const string Smb006 = "SMB006";
    public const string Smb007 = "SMB007";
    public const string Smb008 = "SMB008";
    public const string Smb009 = "SMB009";
    public const string Src001 = "SRC001";
    public const string Src002 = "SRC002";
    public const string Src003 = "SRC003";
    public const string Src004 = "SRC004";
    public const string Src005 = "SRC005";

    /// <summary>Every code with its severity and meaning, ordered by code.</summary>
    public static IReadOnlyList<DiagnosticCodeInfo> All { get; } =
    [
        new(Aud001, DiagnosticSeverity.Error, "audit", "The file's format was detected but no reader reads it in an audit; expected a .reg export, a security template, Registry.pol, `Get-Smb*Configuration` or Intune JSON, smb.conf or nsmb.conf."),
        new(Aud002, DiagnosticSeverity.Error, "audit", "The input file is empty; nothing to audit."),
        new(Gpo001, DiagnosticSeverity.Error, "GPO backup folder", "The folder holds no policy file: neither `Machine/Registry.pol` nor `Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf` (also looked for under `DomainSysvol/GPO`)."),
        new(Gpo002, DiagnosticSeverity.Error, "GPO backup folder", "The GPO folder does not exist or is not a folder."),
        new(Inf001, DiagnosticSeverity.Error, "security template (.inf)", "No INI section found; not a security template."),
        new(Inf002, DiagnosticSeverity.Warning, "security template (.inf)", "A UTF-16LE byte-order mark is followed by 8-bit text; read as 8-bit text."),
        new(Inf010, DiagnosticSeverity.Error, "security template (.inf)", "A [Registry Values] line is not `MACHINE\\key\\value=type,data`."),
        new(Inf011, DiagnosticSeverity.Warning, "security template (.inf)", "A registry path does not start with `MACHINE\\`; skipped."),
        new(Inf012, DiagnosticSeverity.Error, "security template (.inf)", "No registry type code and comma after `=`."),
        new(Inf013, DiagnosticSeverity.Error, "security template (.inf)", "A registry type code other than 1, 2, 3, 4 or 7."),
        new(Inf014, DiagnosticSeverity.Error, "security template (.inf)", "Data that does not fit its type (a REG_DWORD or REG_QWORD that is not a number, REG_BINARY that is not hex bytes)."),
        new(Inf015, DiagnosticSeverity.Error, "security template (.inf)", "A registry path without a value name."),
        new(Int001, DiagnosticSeverity.Error, "Intune JSON", "Not valid JSON, or empty."),
        new(Int002, DiagnosticSeverity.Info, "Intune JSON", "Setting definitions: they describe settings but set none; no values read."),
        new(Int003, DiagnosticSeverity.Error, "Intune JSON", "Valid JSON but not an Intune policy (Settings Catalog policy, custom profile, settingInstance, or a list of them)."),
        new(Int004, DiagnosticSeverity.Warning, "Intune JSON", "A setting instance of a type the reader does not know; skipped."),
        new(Int005, DiagnosticSeverity.Warning, "Intune JSON", "A choice value that does not start with its setting id; kept as written."),
        new(Int006, DiagnosticSeverity.Warning, "Intune JSON", "A Hardened UNC Paths item without its key or value string; skipped."),
        new(Int007, DiagnosticSeverity.Warning, "Intune JSON", "An OMA-URI value is encrypted in the export; it cannot be audited from this file."),
        new(Int008, DiagnosticSeverity.Warning, "Intune JSON", "An OMA-URI value that is not what the setting takes (an integer, or enabled/disabled with its data element)."),
        new(Liv001, DiagnosticSeverity.Error, "live registry", "The live registry can be read only on Windows."),
        new(Liv002, DiagnosticSeverity.Error, "live registry", "A registry key cannot be opened: access is denied."),
        new(Liv003, DiagnosticSeverity.Warning, "live registry", "A registry value of a type the reader does not decode, or that cannot be read; skipped."),
        new(Nsm001, DiagnosticSeverity.Warning, "nsmb.conf", "A line that is not `key=value`; ignored."),
        new(Nsm002, DiagnosticSeverity.Warning, "nsmb.conf", "A key before any section; ignored."),
        new(Nsm003, DiagnosticSeverity.Warning, "nsmb.conf", "An unknown key; ignored."),
        new(Nsm004, DiagnosticSeverity.Warning, "nsmb.conf", "A value that is not a boolean or number where the key takes one."),
        new(Nsm005, DiagnosticSeverity.Warning, "nsmb.conf", "A section header without its closing `]`."),
        new(Nsm006, DiagnosticSeverity.Error, "nsmb.conf", "The file is not text; not read."),
        new(Pol001, DiagnosticSeverity.Error, "Registry.pol", "The file does not start with the `PReg` signature and a version."),
        new(Pol002, DiagnosticSeverity.Error, "Registry.pol", "A version other than 1."),
        new(Pol010, DiagnosticSeverity.Error, "Registry.pol", "A record does not start with `[`."),
        new(Pol011, DiagnosticSeverity.Error, "Registry.pol", "A key or value name has no terminating NUL before the end of the file (truncated)."),
        new(Pol012, DiagnosticSeverity.Error, "Registry.pol", "A `;` separator is missing between the fields of a record."),
        new(Pol013, DiagnosticSeverity.Error, "Registry.pol", "The file ends inside a record (truncated)."),
        new(Pol014, DiagnosticSeverity.Error, "Registry.pol", "A data size that goes beyond the end of the file (truncated or corrupt)."),
        new(Pol015, DiagnosticSeverity.Error, "Registry.pol", "A record does not end with `]`."),
        new(Pol016, DiagnosticSeverity.Warning, "Registry.pol", "Data that does not fit its registry type; kept as bytes."),
        new(Pol020, DiagnosticSeverity.Info, "Registry.pol", "A `**SecureKey` directive: it sets a key's security, not a value; ignored."),
        new(Pol021, DiagnosticSeverity.Info, "Registry.pol", "A `**soft.` directive: applied only when the value does not exist yet; read as a value."),
        new(Pol022, DiagnosticSeverity.Warning, "Registry.pol", "An unknown `**` directive; ignored."),
        new(Pol023, DiagnosticSeverity.Error, "Registry.pol", "One stray byte at the end where a record was expected (truncated)."),
        new(Psj001, DiagnosticSeverity.Error, "Get-SmbClient/ServerConfiguration JSON", "Not valid JSON, or empty."),
        new(Psj002, DiagnosticSeverity.Error, "Get-SmbClient/ServerConfiguration JSON", "The JSON is not an object or an array of objects."),
        new(Psj003, DiagnosticSeverity.Error, "Get-SmbClient/ServerConfiguration JSON", "An array item is not an object."),
        new(Psj004, DiagnosticSeverity.Error, "Get-SmbClient/ServerConfiguration JSON", "Cannot tell client from server configuration: no CimClass, no side-specific property, no hint in the file name."),
        new(Psj005, DiagnosticSeverity.Info, "Get-SmbClient/ServerConfiguration JSON", "The side (client or server) was taken from the file name."),
        new(Psj006, DiagnosticSeverity.Error, "Get-SmbClient/ServerConfiguration JSON", "An object with properties of both client and server configuration and no CimClass."),
        new(Psj007, DiagnosticSeverity.Info, "Get-SmbClient/ServerConfiguration JSON", "A property that is null or not set; no value."),
        new(Psj008, DiagnosticSeverity.Warning, "Get-SmbClient/ServerConfiguration JSON", "A property value of the wrong kind (not a boolean, number, dialect or list of strings as the property takes)."),
        new(Reg001, DiagnosticSeverity.Error, ".reg export", "The first line is not a .reg header (`Windows Registry Editor Version 5.00` or `REGEDIT4`)."),
        new(Reg002, DiagnosticSeverity.Warning, ".reg export", "The file's encoding does not match its header (version 5 files are UTF-16LE, REGEDIT4 files 8-bit); read anyway."),
        new(Reg003, DiagnosticSeverity.Warning, ".reg export", "A UTF-16LE byte-order mark is followed by 8-bit text; the BOM was ignored."),
        new(Reg004, DiagnosticSeverity.Error, ".reg export", "The file is empty."),
        new(Reg010, DiagnosticSeverity.Error, ".reg export", "A key line without its closing `]`."),
        new(Reg011, DiagnosticSeverity.Error, ".reg export", "A key under an unknown registry hive."),
        new(Reg012, DiagnosticSeverity.Warning, ".reg export", "A value after a `[-key]` deletion; ignored."),
        new(Reg020, DiagnosticSeverity.Error, ".reg export", "A line that is neither a key, a value nor a comment."),
        new(Reg021, DiagnosticSeverity.Error, ".reg export", "A value before any key line."),
        new(Reg022, DiagnosticSeverity.Error, ".reg export", "A value name without its closing quote."),
        new(Reg023, DiagnosticSeverity.Error, ".reg export", "No `=` after a value name."),
        new(Reg030, DiagnosticSeverity.Error, ".reg export", "Value data of an unknown form (not `\"string\"`, `dword:`, `hex:`, `hex(N):` or `-`)."),
        new(Reg031, DiagnosticSeverity.Error, ".reg export", "`dword:` data that is not 1 to 8 hexadecimal digits."),
        new(Reg032, DiagnosticSeverity.Error, ".reg export", "A hex list with an empty or invalid byte."),
        new(Reg033, DiagnosticSeverity.Error, ".reg export", "String data without its closing quote."),
        new(Reg034, DiagnosticSeverity.Warning, ".reg export", "Text after a key's `]` or after value data; ignored."),
        new(Reg035, DiagnosticSeverity.Warning, ".reg export", "Data that does not fit its registry type; kept as bytes."),
        new(Reg041, DiagnosticSeverity.Error, ".reg export", "A hex list continued with `\\` but not continued on the next line (or the file ends)."),
        new(Rrp001, DiagnosticSeverity.Error, "remote registry (audit --remote)", "The remote registry of a target could not be read at all (connection, logon or RPC failure)."),
        new(Rrp002, DiagnosticSeverity.Error, "remote registry (audit --remote)", "One key or value could not be read remotely (access denied or another registry error)."),
        new(Rrp003, DiagnosticSeverity.Warning, "remote registry (audit --remote)", "A remote value whose data does not fit its registry type; kept as bytes."),
        new(Smb001, DiagnosticSeverity.Warning, "smb.conf", "A line that is not `name = value`; ignored (as Samba does)."),
        new(Smb002, DiagnosticSeverity.Warning, "smb.conf", "A section header without its closing `]`."),
        new(Smb003, DiagnosticSeverity.Warning, "smb.conf", "An unknown parameter; ignored."),
        new(Smb004, DiagnosticSeverity.Warning, "smb.conf", "An include that would form a cycle or nests too deep; not followed."),
        new(Smb005, DiagnosticSeverity.Warning, "smb.conf", "An included file that cannot be read; skipped."),
        new(Smb006, DiagnosticSeverity.Warning, "smb.conf", "An include or config file that depends on the client or switches files at run time; not followed."),
        new(Smb007, DiagnosticSeverity.Warning, "smb.conf", "A value that is not valid for its parameter; Samba ignores it."),
        new(Smb008, DiagnosticSeverity.Warning, "smb.conf", "The last line ends with a continuation `\\`."),
        new(Smb009, DiagnosticSeverity.Error, "smb.conf", "The file is not text; not read."),
        new(Src001, DiagnosticSeverity.Error, "any file", "The file cannot be read (missing, access denied, I/O error)."),
        new(Src002, DiagnosticSeverity.Error, "any file", "The format is not recognised."),
        new(Src003, DiagnosticSeverity.Error, "any file", "The file is larger than the reader's size limit; not read."),
        new(Src004, DiagnosticSeverity.Error, "any file", "More problems than the diagnostic limit; the rest are not listed."),
        new(Src005, DiagnosticSeverity.Error, "any file", "The path is a folder, pipe, device or socket, not a regular file; not opened."),
    ];
}
