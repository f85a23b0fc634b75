using System.Globalization;
using System.Security.Cryptography;

namespace SmbSign.Protocol.Kerberos;

/// <summary>How a Kerberos session key recovery ended.</summary>
public enum KerberosRecoveryStatus
{
    /// <summary>The ticket and authenticator decrypted (integrity checked); <see cref="KerberosRecovery.SessionKey"/> is set.</summary>
    Recovered,

    /// <summary>The keytab has no key for the ticket's encryption type and kvno.</summary>
    NoKey,

    /// <summary>The keytab has a key of the ticket's principal, type and kvno, but it fails the integrity check of the
    /// ticket: a different key (e.g. a password reset that kept the kvno) or altered bytes.</summary>
    WrongKey,

    /// <summary>An encryption type this tool does not decrypt (DES, RFC 8009 types).</summary>
    UnsupportedEncryption,

    /// <summary>The ticket decrypted but a later step failed (authenticator or AP-REP integrity, malformed contents).</summary>
    Failed,
}

/// <summary>The outcome of <see cref="KerberosSessionKeyRecovery.Recover"/>. <see cref="ToString"/> never shows keys.</summary>
public sealed class KerberosRecovery
{
    internal KerberosRecovery(KerberosRecoveryStatus status, string servicePrincipal, uint? kvno, int ticketEncryptionType, string? note)
    {
        Status = status;
        ServicePrincipal = servicePrincipal;
        Kvno = kvno;
        TicketEncryptionType = ticketEncryptionType;
        Note = note;
    }

    public KerberosRecoveryStatus Status { get; }

    /// <summary>The ticket's server principal, "cifs/host@REALM".</summary>
    public string ServicePrincipal { get; }

    /// <summary>The ticket's key version number (absent in some tickets).</summary>
    public uint? Kvno { get; }

    public int TicketEncryptionType { get; }

    /// <summary>The client principal from the decrypted ticket.</summary>
    public string? ClientPrincipal { get; internal set; }

    /// <summary>Which key the GSS context's session key is: "acceptor-subkey", "initiator-subkey" or "ticket".</summary>
    public string? SessionKeySource { get; internal set; }

    /// <summary>The encryption type of the GSS session key.</summary>
    public int? SessionKeyEncryptionType { get; internal set; }

    /// <summary>The encryption type of the ticket's session key (the client asked for it; RC4 here is weak even when
    /// the ticket itself is AES).</summary>
    public int? TicketSessionKeyEncryptionType { get; internal set; }

    /// <summary>The ticket's session key (what tshark shows as the EncTicketPart key).</summary>
    public byte[]? TicketSessionKey { get; internal set; }

    /// <summary>The GSS context's session key, whole (16 bytes for AES-128 and RC4, 32 for AES-256). SMB takes its
    /// first 16 bytes ([MS-SMB2] 3.2.5.3.1).</summary>
    public byte[]? SessionKey { get; internal set; }

    /// <summary>Why it failed, in one sentence naming principal, kvno and type; null when recovered.</summary>
    public string? Note { get; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Status} {ServicePrincipal} kvno {Kvno?.ToString(CultureInfo.InvariantCulture) ?? "-"} {KerberosEncryptionTypes.GetName(TicketEncryptionType)}");
}

/// <summary>
/// Recovers the GSS-API Kerberos context's session key of an SMB session from the captured AP-REQ (and AP-REP) with
/// the service's keys: the ticket's EncTicketPart is decrypted with the service key (key usage 2), giving the ticket
/// session key, which decrypts the Authenticator (usage 11) and the AP-REP's EncAPRepPart (usage 12). The context's
/// key is the acceptor's sub-key from the AP-REP when there is one, else the initiator's sub-key from the
/// Authenticator, else the ticket session key (RFC 4121 §2; [MS-KILE] 3.1.1.2; MIT krb5 and Heimdal's
/// GSS_C_INQ_SSPI_SESSION_KEY return the same).
/// </summary>
public static class KerberosSessionKeyRecovery
{
    /// <summary>Tries the keytab entries of the ticket's encryption type (and kvno, when the ticket names one), those
    /// whose principal matches the ticket's server first. Every decryption is integrity-checked, so trying a key of
    /// another principal cannot give a wrong answer; only a key that decrypts the ticket is used.</summary>
    public static KerberosRecovery Recover(KerberosApReq apReq, KerberosEncryptedData? apRepEncPart, IReadOnlyList<KeytabEntry> keytab)
    {
        ArgumentNullException.ThrowIfNull(apReq);
        ArgumentNullException.ThrowIfNull(keytab);
        KerberosTicket ticket = apReq.Ticket;
        int etype = ticket.EncryptedPart.EncryptionType;
        uint? kvno = ticket.EncryptedPart.Kvno;
        string principal = ticket.ServerPrincipal;
        string described = Describe(principal, kvno, etype);
        if (!KerberosEncryptionTypes.IsSupported(etype))
        {
            return new KerberosRecovery(KerberosRecoveryStatus.UnsupportedEncryption, principal, kvno, etype,
                $"the ticket for {described} is encrypted with a type this tool does not decrypt (only aes256/aes128-cts-hmac-sha1-96 and rc4-hmac)");
        }

        List<KeytabEntry> candidates = keytab
            .Where(e => e.EncryptionType == etype && (kvno is null || e.Kvno == kvno.Value || (e.Kvno & 0xFF) == kvno.Value))
            .OrderByDescending(e => Matches(e, ticket))
            .ToList();
        if (candidates.Count == 0)
        {
            return new KerberosRecovery(KerberosRecoveryStatus.NoKey, principal, kvno, etype, $"no key for {described} in the keytab");
        }

        byte[]? encTicket = null;
        foreach (KeytabEntry candidate in candidates)
        {
            if (KerberosCrypto.TryDecrypt(etype, candidate.Key, KerberosKeyUsage.TicketEncPart, ticket.EncryptedPart.Cipher.Span, out byte[] plaintext))
            {
                encTicket = plaintext;
                break;
            }
        }

        if (encTicket is null && !candidates.Any(c => Matches(c, ticket)))
        {
            // Only other principals' keys were tried (an AD keytab names the machine account, e.g. HOST$, whose key
            // serves its SPNs; they failed here): the keytab simply has no key for this service.
            return new KerberosRecovery(KerberosRecoveryStatus.NoKey, principal, kvno, etype,
                $"no key for {described} in the keytab (its {candidates.Count} key(s) of other principals with that type and kvno do not decrypt the ticket)");
        }

        if (encTicket is null)
        {
            return new KerberosRecovery(KerberosRecoveryStatus.WrongKey, principal, kvno, etype,
                $"the keytab's {candidates.Count} key(s) of type {KerberosEncryptionTypes.GetName(etype)}{(kvno is null ? string.Empty : " kvno " + kvno.Value.ToString(CultureInfo.InvariantCulture))} fail the integrity check of the ticket for {principal}: a different key or an altered ticket");
        }

        try
        {
            return Continue(apReq, apRepEncPart, principal, kvno, etype, encTicket);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encTicket);
        }
    }

    private static KerberosRecovery Continue(KerberosApReq apReq, KerberosEncryptedData? apRepEncPart, string principal, uint? kvno, int etype, byte[] encTicket)
    {
        KerberosEncTicketPart ticketPart;
        try
        {
            ticketPart = KerberosMessages.DecodeEncTicketPart(encTicket);
        }
        catch (SmbProtocolException e)
        {
            return Failed(principal, kvno, etype, $"the ticket for {principal} decrypted but its EncTicketPart is malformed ({e.Message})");
        }

        KerberosKey ticketKey = ticketPart.SessionKey;
        if (!KerberosEncryptionTypes.IsSupported(ticketKey.EncryptionType))
        {
            return Failed(principal, kvno, etype, $"the ticket's session key is {KerberosEncryptionTypes.GetName(ticketKey.EncryptionType)}, which this tool does not decrypt");
        }

        KerberosEncryptedData authData = apReq.Authenticator;
        if (authData.EncryptionType != ticketKey.EncryptionType)
        {
            return Failed(principal, kvno, etype, $"the authenticator is encrypted with {KerberosEncryptionTypes.GetName(authData.EncryptionType)}, not the ticket session key's {KerberosEncryptionTypes.GetName(ticketKey.EncryptionType)}");
        }

        if (!KerberosCrypto.TryDecrypt(ticketKey.EncryptionType, ticketKey.Value, KerberosKeyUsage.ApReqAuthenticator, authData.Cipher.Span, out byte[] authPlain))
        {
            return Failed(principal, kvno, etype, "the authenticator fails its integrity check under the ticket's session key (altered AP-REQ)");
        }

        KerberosAuthenticator authenticator;
        try
        {
            authenticator = KerberosMessages.DecodeAuthenticator(authPlain);
        }
        catch (SmbProtocolException e)
        {
            return Failed(principal, kvno, etype, $"the authenticator decrypted but is malformed ({e.Message})");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(authPlain);
        }

        KerberosKey? acceptorSubkey = null;
        if (apRepEncPart is not null)
        {
            if (apRepEncPart.EncryptionType != ticketKey.EncryptionType
                || !KerberosCrypto.TryDecrypt(ticketKey.EncryptionType, ticketKey.Value, KerberosKeyUsage.ApRepEncPart, apRepEncPart.Cipher.Span, out byte[] repPlain))
            {
                return Failed(principal, kvno, etype, "the AP-REP fails its integrity check under the ticket's session key (altered AP-REP)");
            }

            try
            {
                acceptorSubkey = KerberosMessages.DecodeEncApRepPart(repPlain).Subkey;
            }
            catch (SmbProtocolException e)
            {
                return Failed(principal, kvno, etype, $"the AP-REP decrypted but is malformed ({e.Message})");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(repPlain);
            }
        }

        (KerberosKey key, string source) = acceptorSubkey is not null ? (acceptorSubkey, "acceptor-subkey")
            : authenticator.Subkey is not null ? (authenticator.Subkey, "initiator-subkey")
            : (ticketKey, "ticket");
        return new KerberosRecovery(KerberosRecoveryStatus.Recovered, principal, kvno, etype, null)
        {
            ClientPrincipal = ticketPart.ClientPrincipal,
            SessionKeySource = source,
            SessionKeyEncryptionType = key.EncryptionType,
            TicketSessionKeyEncryptionType = ticketKey.EncryptionType,
            TicketSessionKey = ticketKey.Value,
            SessionKey = key.Value,
        };
    }

    private static KerberosRecovery Failed(string principal, uint? kvno, int etype, string note) =>
        new(KerberosRecoveryStatus.Failed, principal, kvno, etype, note);

    private static bool Matches(KeytabEntry entry, KerberosTicket ticket) =>
        string.Equals(entry.Realm, ticket.Realm, StringComparison.OrdinalIgnoreCase)
        && entry.Components.Count == ticket.ServerName.Components.Count
        && entry.Components.Zip(ticket.ServerName.Components).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));

    /// <summary>"principal cifs/dc@REALM kvno 2 enctype aes256-cts-hmac-sha1-96".</summary>
    public static string Describe(string principal, uint? kvno, int etype) =>
        string.Create(CultureInfo.InvariantCulture, $"principal {principal} kvno {(kvno is null ? "(none)" : kvno.Value.ToString(CultureInfo.InvariantCulture))} enctype {KerberosEncryptionTypes.GetName(etype)}");
}
