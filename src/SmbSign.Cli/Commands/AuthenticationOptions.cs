using System.CommandLine;
using System.Globalization;
using SmbSign.Cli.Rendering;
using SmbSign.Protocol.Errors;
using SmbSign.Wire.Session.Kerberos;

namespace SmbSign.Cli.Commands;

/// <summary>How a session logs on, as the CLI resolved it: NTLMv2 with a password or an NT hash, or Kerberos (ticket
/// from a credential cache, or from a password). Secrets stay in this object for the run only.</summary>
internal sealed record Logon(string Password, KerberosOptions? Kerberos, ReadOnlyMemory<byte>? NtHash);

/// <summary>The logon options <c>verify</c> and <c>audit --remote</c> share: <c>-k/--kerberos</c>, <c>--ccache</c>,
/// <c>--realm</c>, <c>--kdc</c>, <c>--nt-hash-file</c> (secrets only from files or the environment, never argv).</summary>
internal sealed class AuthenticationOptions
{
    public Option<bool> Kerberos { get; } = new("--kerberos", "-k")
    {
        Description = "Log on with Kerberos (SPNEGO, ticket for cifs/HOST; HOST must be the server's name in the domain) through the platform's GSSAPI/SSPI. The ticket comes from the credential cache (kinit; KRB5CCNAME or --ccache), or from the password when -u and a password (SMBSIGN_PASSWORD / --password-file) are given",
    };

    public Option<FileInfo?> CredentialCache { get; } = new("--ccache")
    {
        Description = "With -k: take the ticket from this credential cache file (as kinit -c writes) instead of the default (KRB5CCNAME)",
        HelpName = "FILE",
    };

    public Option<string?> Realm { get; } = new("--realm")
    {
        Description = "With -k: the Kerberos realm (e.g. CORP.EXAMPLE.COM): the user's realm for a password logon and the default realm",
        HelpName = "REALM",
    };

    public Option<string?> Kdc { get; } = new("--kdc")
    {
        Description = "With -k: the realm's KDC as HOST[:PORT] (needs --realm or a domain in -u); written to a temporary krb5.conf placed before KRB5_CONFIG / /etc/krb5.conf",
        HelpName = "HOST[:PORT]",
    };

    public Option<FileInfo?> NtHashFile { get; } = new("--nt-hash-file")
    {
        Description = "NTLM logon with the account's NT hash instead of the password: the first line of FILE holds 32 hex digits (LM:NT as impacket writes it is accepted)",
        HelpName = "FILE",
    };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Kerberos, CredentialCache, Realm, Kdc, NtHashFile })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Resolves the logon. NTLM reads the password (or the NT hash); Kerberos reads a password only when a user
    /// and a password source are given, else uses the credential cache. <c>--kdc</c> takes effect for the whole process.</summary>
    public Logon Resolve(ParseResult parseResult, CliServices services, FileInfo? passwordFile, VerifyUser? user, string prefix)
    {
        bool kerberos = parseResult.GetValue(Kerberos);
        FileInfo? ccache = parseResult.GetValue(CredentialCache);
        string? realm = parseResult.GetValue(Realm);
        string? kdc = parseResult.GetValue(Kdc);
        FileInfo? hashFile = parseResult.GetValue(NtHashFile);
        if (!kerberos)
        {
            string? kerberosOnly = ccache is not null ? "--ccache" : realm is not null ? "--realm" : kdc is not null ? "--kdc" : null;
            if (kerberosOnly is not null)
            {
                throw new CliException($"{prefix}{kerberosOnly} needs -k/--kerberos.");
            }

            if (user is null)
            {
                throw new CliException($"{prefix}-u/--user [DOMAIN\\]USER is required (with -k the credential cache can name the user).");
            }

            if (hashFile is not null)
            {
                if (passwordFile is not null)
                {
                    throw new CliException($"{prefix}give either --nt-hash-file or --password-file, not both.");
                }

                return new Logon(string.Empty, null, ReadNtHash(hashFile, prefix));
            }

            return new Logon(PasswordInput.Read(services, passwordFile), null, null);
        }

        if (hashFile is not null)
        {
            throw new CliException($"{prefix}--nt-hash-file is for NTLM; a Kerberos logon takes a ticket (kinit) or a password.");
        }

        if (ccache is not null && !File.Exists(ccache.FullName))
        {
            throw new CliException($"{prefix}--ccache: '{ccache.FullName}' does not exist (kinit -c FILE USER@REALM creates it).");
        }

        if (realm is not null && (realm.Length == 0 || realm.Any(c => char.IsWhiteSpace(c) || c is '{' or '}' or '=' or '#' or '@' or '/')))
        {
            throw new CliException($"{prefix}--realm: '{realm}' is not a realm name (e.g. CORP.EXAMPLE.COM).");
        }

        if (kdc is not null)
        {
            if (!Krb5Configuration.IsValidKdc(kdc))
            {
                throw new CliException($"{prefix}--kdc: '{kdc}' is not HOST or HOST:PORT.");
            }

            string? kdcRealm = realm ?? (user?.Domain is { Length: > 0 } d && d.Contains('.', StringComparison.Ordinal) ? d.ToUpperInvariant() : null);
            if (kdcRealm is null)
            {
                throw new CliException($"{prefix}--kdc needs the realm: give --realm REALM (or -u USER@REALM).");
            }

            string path = Krb5Configuration.WriteOverride(kdcRealm, kdc);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(path);
            Krb5Configuration.Use(path);
        }

        // A password is used only when asked for: a user plus --password-file or SMBSIGN_PASSWORD. Never a prompt: without
        // them the ticket comes from the credential cache, as kinit left it.
        string password = string.Empty;
        if (user is not null && (passwordFile is not null || !string.IsNullOrEmpty(services.GetEnvironmentVariable(PasswordInput.Variable))))
        {
            if (ccache is not null)
            {
                throw new CliException($"{prefix}give either --ccache (use its ticket) or a password (SMBSIGN_PASSWORD / --password-file), not both.");
            }

            password = PasswordInput.Read(services, passwordFile);
        }

        return new Logon(password, new KerberosOptions { CredentialCache = ccache?.FullName, Realm = realm }, null);
    }

    /// <summary>The first line of <paramref name="file"/>: 32 hex digits, or LM:NT (impacket's -hashes form). The
    /// contents are never echoed.</summary>
    internal static byte[] ReadNtHash(FileInfo file, string prefix)
    {
        if (Directory.Exists(file.FullName))
        {
            throw new CliException($"{prefix}--nt-hash-file: '{file.FullName}' is a folder; give the file whose first line is the NT hash.");
        }

        string text;
        try
        {
            using var reader = new StreamReader(file.FullName, System.Text.Encoding.UTF8);
            char[] buffer = new char[256];
            int read = reader.ReadBlock(buffer, 0, buffer.Length);
            text = new string(buffer, 0, read);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            throw new CliException($"{prefix}--nt-hash-file: cannot read '{file.FullName}': {e.GetType().Name}");
        }

        int newline = text.IndexOfAny(['\r', '\n']);
        string line = (newline < 0 ? text : text[..newline]).Trim();
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            line = line[(colon + 1)..];
        }

        if (line.Length != 32 || !line.All(char.IsAsciiHexDigit))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"{prefix}--nt-hash-file: {file.FullName} line 1: expected 32 hexadecimal digits (the NT hash, or LM:NT), found {line.Length} characters{(line.All(char.IsAsciiHexDigit) ? string.Empty : " including non-hex ones")}."));
        }

        return Convert.FromHexString(line);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            // Best effort: a temporary file that cannot be removed is left behind, not an error.
        }
    }
}
