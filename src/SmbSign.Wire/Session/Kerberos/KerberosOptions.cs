using SmbSign.Protocol.Errors;

namespace SmbSign.Wire.Session.Kerberos;

/// <summary>How the client obtains its Kerberos ticket for <c>cifs/HOST</c>. The password, when there is one, is passed
/// separately (never stored here): without it the ticket comes from a credential cache.</summary>
public sealed record KerberosOptions
{
    /// <summary>A credential cache file (MIT <c>FILE:</c> cache, as <c>kinit -c</c> writes); null uses the default cache
    /// (<c>KRB5CCNAME</c>, else the library's default).</summary>
    public string? CredentialCache { get; init; }

    /// <summary>The realm of the user when logging on with a password (<c>USER@REALM</c>); null uses the domain given with
    /// the user (upper-cased), else the default realm of krb5.conf.</summary>
    public string? Realm { get; init; }
}

/// <summary>A Kerberos failure the user can act on: one line, no secrets.</summary>
public sealed class KerberosException(string message) : PeerException(message);

/// <summary>The client side of one Kerberos logon as SPNEGO tokens: the first call (empty input) yields the
/// NegTokenInit carrying the AP-REQ; each server token goes back in until the context is complete (the AP-REP checked,
/// mutual authentication done).</summary>
internal interface IKerberosClientContext : IDisposable
{
    /// <summary>Next token for the server (possibly empty); <paramref name="complete"/> when the context is established.</summary>
    byte[] Step(ReadOnlySpan<byte> serverToken, out bool complete);

    /// <summary>The established context's session key (RFC 4121: acceptor subkey, else initiator subkey, else the
    /// ticket's session key) and its Kerberos encryption type number (RFC 3961 etype: 17/18 AES, 23 RC4).</summary>
    byte[] SessionKey(out int encryptionType);

    /// <summary>The client principal the context runs as (e.g. <c>alice@SMBSIGN.TEST</c>), when known.</summary>
    string? ClientPrincipal { get; }
}

/// <summary>Creates the platform's Kerberos client: MIT GSSAPI on Linux and macOS, SSPI on Windows.</summary>
internal static class KerberosClientContext
{
    public static IKerberosClientContext Create(string serverName, string? user, string? domain, string? password, KerberosOptions options) =>
        OperatingSystem.IsWindows()
            ? new SspiKerberosContext(serverName, user, domain, password)
            : new GssKerberosContext(serverName, Principal(user, domain, options.Realm), password, options.CredentialCache);

    /// <summary><c>USER@REALM</c> for a password logon: a user that already names its realm is kept.</summary>
    internal static string? Principal(string? user, string? domain, string? realm)
    {
        if (string.IsNullOrEmpty(user))
        {
            return null;
        }

        if (user.Contains('@', StringComparison.Ordinal))
        {
            return user;
        }

        string? chosen = !string.IsNullOrEmpty(realm) ? realm : !string.IsNullOrEmpty(domain) ? domain : null;
        return chosen is null ? user : user + "@" + chosen.ToUpperInvariant();
    }

    /// <summary>Names for the RFC 3961/8009 encryption types a KDC issues session keys with.</summary>
    public static string EncryptionTypeName(int encryptionType) => encryptionType switch
    {
        17 => "aes128-cts-hmac-sha1-96",
        18 => "aes256-cts-hmac-sha1-96",
        19 => "aes128-cts-hmac-sha256-128",
        20 => "aes256-cts-hmac-sha384-192",
        23 => "rc4-hmac",
        24 => "rc4-hmac-exp",
        _ => "etype " + encryptionType.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
