using System.Security.Cryptography;
using System.Text;
using static SmbSign.Wire.Session.Kerberos.GssApi;

namespace SmbSign.Wire.Session.Kerberos;

/// <summary>
/// A Kerberos logon through MIT GSSAPI. The context uses GSSAPI's own SPNEGO mechanism with the negotiable mechanisms
/// restricted to Kerberos V5 (gss_set_neg_mechs): the library then produces the NegTokenInit with the AP-REQ, checks the
/// server's NegTokenResp (the AP-REP for mutual authentication and, when Samba or Windows send one, the mechListMIC) and
/// sends the client's mechListMIC when the server asks for it (RFC 4178 5, [MS-SPNG] 3.1.5.1). Doing the SPNEGO layer in
/// the library, rather than wrapping raw krb5 tokens here, means the MIC rules are the ones MIT implements and Samba
/// tests against. Credentials come from a password (gss_acquire_cred_with_password, into a memory cache: the user's
/// cache is not touched) or from a credential cache (gss_acquire_cred_from with a <c>ccache</c> store, or the default).
/// </summary>
internal sealed unsafe class GssKerberosContext : IKerberosClientContext
{
    private const uint RequestedFlags = MutualFlag | ReplayFlag | SequenceFlag | IntegFlag;

    private readonly Library _api;
    private readonly string _target;
    private IntPtr _credential;
    private IntPtr _name;
    private IntPtr _context;

    public GssKerberosContext(string serverName, string? principal, string? password, string? credentialCache)
    {
        _api = Api ?? throw new KerberosException("Kerberos is not available: " + LoadError);
        _target = "cifs/" + serverName;
        try
        {
            ImportTarget(serverName);
            AcquireCredential(principal, password, credentialCache);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string? ClientPrincipal { get; private set; }

    public byte[] Step(ReadOnlySpan<byte> serverToken, out bool complete)
    {
        uint minor = 0;
        uint retFlags = 0;
        GssBuffer output = default;
        uint major;
        fixed (byte* input = serverToken)
        {
            GssBuffer inputBuffer = new() { Length = (nuint)serverToken.Length, Value = (IntPtr)input };
            IntPtr context = _context;
            major = _api.InitSecContext(&minor, _credential, &context, _name, SpnegoMechanism, RequestedFlags,
                serverToken.IsEmpty ? null : &inputBuffer, &output, &retFlags);
            _context = context;
        }

        try
        {
            if ((major & ErrorMask) != 0)
            {
                throw Failed("gss_init_sec_context", major, minor);
            }

            complete = major == Complete;
            if (complete && (retFlags & MutualFlag) == 0)
            {
                throw new KerberosException($"Kerberos logon to {_target}: the server did not authenticate itself (no mutual authentication, no AP-REP)");
            }

            if (complete)
            {
                ClientPrincipal = InquireClientPrincipal();
            }

            return output.Length == 0 ? [] : new ReadOnlySpan<byte>((void*)output.Value, checked((int)output.Length)).ToArray();
        }
        finally
        {
            _api.ReleaseBuffer(&minor, &output);
        }
    }

    public byte[] SessionKey(out int encryptionType)
    {
        uint minor = 0;
        GssBufferSet* set = null;
        uint major = _api.InquireSecContextByOid(&minor, _context, InquireSessionKey, &set);
        try
        {
            if ((major & ErrorMask) != 0 || set is null || set->Count < 1)
            {
                throw Failed("gss_inquire_sec_context_by_oid(GSS_C_INQ_SSPI_SESSION_KEY)", major, minor);
            }

            GssBuffer key = set->Elements[0];
            byte[] result = new ReadOnlySpan<byte>((void*)key.Value, checked((int)key.Length)).ToArray();
            encryptionType = set->Count > 1 ? EncryptionTypeFromOid(new ReadOnlySpan<byte>((void*)set->Elements[1].Value, checked((int)set->Elements[1].Length))) : 0;
            return result;
        }
        finally
        {
            if (set is not null)
            {
                // The key material is wiped before the library frees it.
                for (nuint i = 0; i < set->Count; i++)
                {
                    CryptographicOperations.ZeroMemory(new Span<byte>((void*)set->Elements[i].Value, checked((int)set->Elements[i].Length)));
                }

                _api.ReleaseBufferSet(&minor, &set);
            }
        }
    }

    /// <summary>The second buffer is the OID 1.2.840.113554.1.2.2.4.ENCTYPE (DER contents): its last arc, base-128.</summary>
    internal static int EncryptionTypeFromOid(ReadOnlySpan<byte> oid)
    {
        ReadOnlySpan<byte> prefix = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02, 0x04];
        if (!oid.StartsWith(prefix) || oid.Length == prefix.Length)
        {
            return 0;
        }

        int value = 0;
        foreach (byte b in oid[prefix.Length..])
        {
            value = (value << 7) | (b & 0x7F);
        }

        return value;
    }

    private void ImportTarget(string serverName)
    {
        byte[] name = Encoding.UTF8.GetBytes("cifs@" + serverName);
        uint minor = 0;
        fixed (byte* p = name)
        {
            GssBuffer buffer = new() { Length = (nuint)name.Length, Value = (IntPtr)p };
            IntPtr output;
            uint major = _api.ImportName(&minor, &buffer, HostBasedService, &output);
            if ((major & ErrorMask) != 0)
            {
                throw Failed("gss_import_name", major, minor);
            }

            _name = output;
        }
    }

    private void AcquireCredential(string? principal, string? password, string? credentialCache)
    {
        uint minor = 0;
        uint major;
        IntPtr desiredName = IntPtr.Zero;
        try
        {
            if (principal is not null)
            {
                byte[] nameBytes = Encoding.UTF8.GetBytes(principal);
                fixed (byte* p = nameBytes)
                {
                    GssBuffer nameBuffer = new() { Length = (nuint)nameBytes.Length, Value = (IntPtr)p };
                    major = _api.ImportName(&minor, &nameBuffer, UserName, &desiredName);
                    if ((major & ErrorMask) != 0)
                    {
                        throw Failed("gss_import_name", major, minor);
                    }
                }
            }

            major = Acquire(desiredName, principal, password, credentialCache, SpnegoMechanism, out IntPtr credential, out minor);
            if ((major & ErrorMask) != 0)
            {
                // SPNEGO reports "cannot find mechanisms to negotiate" and hides why Kerberos had no credentials: ask the
                // Kerberos mechanism itself for the reason (no cache, expired, KDC unreachable, password refused).
                uint krbMinor;
                uint krbMajor = Acquire(desiredName, principal, password, credentialCache, Krb5Mechanism, out IntPtr probe, out krbMinor);
                if ((krbMajor & ErrorMask) != 0)
                {
                    (major, minor) = (krbMajor, krbMinor);
                }
                else
                {
                    _api.ReleaseCred(&krbMinor, &probe);
                }

                throw Failed(string.IsNullOrEmpty(password) ? "gss_acquire_cred" : "gss_acquire_cred_with_password", major, minor, credentialCache);
            }

            _credential = credential;

            // Only Kerberos inside SPNEGO: never let the library fall back to another mechanism (IAKERB, NTLM).
            GssOid krb5 = *Krb5Mechanism;
            GssOidSet negMechs = new() { Count = 1, Elements = &krb5 };
            major = _api.SetNegMechs(&minor, _credential, &negMechs);
            if ((major & ErrorMask) != 0)
            {
                throw Failed("gss_set_neg_mechs", major, minor);
            }
        }
        finally
        {
            if (desiredName != IntPtr.Zero)
            {
                _api.ReleaseName(&minor, &desiredName);
            }
        }
    }

    private uint Acquire(IntPtr desiredName, string? principal, string? password, string? credentialCache, GssOid* mechanism, out IntPtr credential, out uint minorStatus)
    {
        uint minor = 0;
        uint major;
        GssOid mech = *mechanism;
        GssOidSet mechs = new() { Count = 1, Elements = &mech };
        IntPtr acquired = IntPtr.Zero;
        try
        {
            if (!string.IsNullOrEmpty(password))
            {
                if (principal is null)
                {
                    throw new KerberosException("a Kerberos logon with a password needs the user (-u USER or -u USER@REALM)");
                }

                byte[] secret = Encoding.UTF8.GetBytes(password);
                try
                {
                    fixed (byte* p = secret)
                    {
                        GssBuffer passwordBuffer = new() { Length = (nuint)secret.Length, Value = (IntPtr)p };
                        major = _api.AcquireCredWithPassword(&minor, desiredName, &passwordBuffer, &mechs, &acquired);
                    }
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(secret);
                }
            }
            else if (credentialCache is not null)
            {
                byte[] key = "ccache\0"u8.ToArray();
                byte[] value = Encoding.UTF8.GetBytes("FILE:" + Path.GetFullPath(credentialCache) + "\0");
                fixed (byte* k = key)
                fixed (byte* v = value)
                {
                    GssKeyValueElement element = new() { Key = k, Value = v };
                    GssKeyValueSet store = new() { Count = 1, Elements = &element };
                    major = _api.AcquireCredFrom(&minor, desiredName, &mechs, &store, &acquired);
                }
            }
            else
            {
                major = _api.AcquireCred(&minor, desiredName, &mechs, &acquired);
            }
        }
        finally
        {
            credential = acquired;
            minorStatus = minor;
        }

        return major;
    }

    private string? InquireClientPrincipal()
    {
        uint minor = 0;
        IntPtr source = IntPtr.Zero;
        if ((_api.InquireSourceName(&minor, _context, &source) & ErrorMask) != 0 || source == IntPtr.Zero)
        {
            return null;
        }

        GssBuffer text = default;
        try
        {
            return (_api.DisplayName(&minor, source, &text) & ErrorMask) != 0 || text.Length == 0
                ? null
                : Encoding.UTF8.GetString((byte*)text.Value, checked((int)text.Length));
        }
        finally
        {
            _api.ReleaseBuffer(&minor, &text);
            _api.ReleaseName(&minor, &source);
        }
    }

    private KerberosException Failed(string call, uint major, uint minor, string? credentialCache = null) =>
        new(KerberosErrors.Explain(_target, call, major, minor, Describe(major, minor), credentialCache));

    public void Dispose()
    {
        uint minor = 0;
        if (_context != IntPtr.Zero)
        {
            IntPtr context = _context;
            _api.DeleteSecContext(&minor, &context);
            _context = IntPtr.Zero;
        }

        if (_credential != IntPtr.Zero)
        {
            IntPtr credential = _credential;
            _api.ReleaseCred(&minor, &credential);
            _credential = IntPtr.Zero;
        }

        if (_name != IntPtr.Zero)
        {
            IntPtr name = _name;
            _api.ReleaseName(&minor, &name);
            _name = IntPtr.Zero;
        }
    }
}

/// <summary>Turns GSSAPI/krb5 status codes into one line a user can act on; the library's own text follows in
/// parentheses. Minor codes are MIT krb5 com_err values (krb5_err.et: ERROR_TABLE_BASE_krb5 = -1765328384).</summary>
internal static class KerberosErrors
{
    public const int ClientPrincipalUnknown = -1765328378;  // KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN (6)
    public const int ServerPrincipalUnknown = -1765328377;  // KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN (7)
    public const int PreauthFailed = -1765328360;           // KRB5KDC_ERR_PREAUTH_FAILED (24)
    public const int TicketExpired = -1765328352;           // KRB5KRB_AP_ERR_TKT_EXPIRED (32)
    public const int ClockSkew = -1765328347;               // KRB5KRB_AP_ERR_SKEW (37)
    public const int CredentialNotFound = -1765328243;      // KRB5_CC_NOTFOUND
    public const int KdcUnreachable = -1765328228;          // KRB5_KDC_UNREACH
    public const int RealmUnknown = -1765328230;            // KRB5_REALM_UNKNOWN
    public const int CacheFileMissing = -1765328189;        // KRB5_FCC_NOFILE
    public const int RealmCannotResolve = -1765328164;      // KRB5_REALM_CANT_RESOLVE

    /// <summary>What went wrong, from the krb5 minor code when the library passes it through, else from MIT's message
    /// text (stable English strings from krb5_err.et; the GSS mechglue and SPNEGO renumber minor codes).</summary>
    public static string Explain(string target, string call, uint major, uint minor, string libraryText, string? credentialCache)
    {
        string detail = $" ({call}: {Flatten(libraryText)})";
        string cache = credentialCache is null ? "the default credential cache (KRB5CCNAME)" : "the credential cache " + credentialCache;
        bool Says(int code, params string[] texts) => (int)minor == code || texts.Any(t => libraryText.Contains(t, StringComparison.OrdinalIgnoreCase));
        if (Says(CacheFileMissing, "No credentials cache found", "Credentials cache file") || Says(CredentialNotFound, "Matching credential not found"))
        {
            return $"no Kerberos ticket in {cache}: run kinit USER@REALM first, or give -u USER with a password (SMBSIGN_PASSWORD or --password-file)" + detail;
        }

        if (libraryText.Contains("No credentials found with supported encryption types", StringComparison.OrdinalIgnoreCase))
        {
            return $"the tickets in {cache} use encryption types this krb5 configuration does not allow (default_tgs_enctypes, permitted_enctypes): run kinit again under the same configuration" + detail;
        }

        if (Says(TicketExpired, "Ticket expired"))
        {
            return $"the Kerberos ticket in {cache} has expired: run kinit again" + detail;
        }

        if (Says(ServerPrincipalUnknown, "Server not found in Kerberos database"))
        {
            return $"the KDC does not know the service principal {target}: name the server by the DNS name it has in the domain (not an IP address or alias; --target-ip connects to an address under that name)" + detail;
        }

        if (Says(ClockSkew, "Clock skew too great"))
        {
            return "clock skew too great: this machine's clock and the KDC's or server's differ by more than Kerberos allows (5 minutes by default); synchronise the clocks (NTP)" + detail;
        }

        if (Says(KdcUnreachable, "Cannot contact any KDC"))
        {
            return "cannot reach a KDC for the realm: check --kdc HOST[:PORT], the [realms] section of krb5.conf, or DNS SRV records (_kerberos._tcp.REALM)" + detail;
        }

        if (Says(RealmUnknown, "Cannot find KDC for realm") || Says(RealmCannotResolve, "Cannot resolve network address for KDC"))
        {
            return "no KDC is known for the realm: give --realm and --kdc, or configure krb5.conf (KRB5_CONFIG)" + detail;
        }

        if (Says(PreauthFailed, "Preauthentication failed", "Password incorrect"))
        {
            return "the KDC refused the password (pre-authentication failed)" + detail;
        }

        if (Says(ClientPrincipalUnknown, "Client not found in Kerberos database", "not found in Kerberos database"))
        {
            return "the KDC does not know the user principal" + detail;
        }

        return (major & GssApi.ErrorMask) switch
        {
            GssApi.NoCred => $"no usable Kerberos credentials in {cache}: run kinit USER@REALM first, or give -u USER with a password" + detail,
            GssApi.CredentialsExpired => $"the Kerberos credentials in {cache} have expired: run kinit again" + detail,
            _ => $"Kerberos logon to {target} failed" + detail,
        };
    }

    private static string Flatten(string text) => text.Replace('\r', ' ').Replace('\n', ' ');
}
