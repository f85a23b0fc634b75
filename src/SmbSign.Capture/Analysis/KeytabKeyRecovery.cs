using SmbSign.Protocol;
using SmbSign.Protocol.Kerberos;

namespace SmbSign.Capture.Analysis;

/// <summary>The capture's side of Kerberos key recovery: decodes the session's captured AP-REQ (and AP-REP), lets
/// <see cref="KerberosSessionKeyRecovery"/> decrypt them with the keytab, and records on the session what that showed
/// (principals, types, kvno: no key bytes) and, when there is no key, why.</summary>
internal sealed class KeytabKeyRecovery
{
    private readonly IReadOnlyList<KeytabEntry> _keytab;
    private readonly NameInterner _names;

    public KeytabKeyRecovery(IReadOnlyList<KeytabEntry> keytab, NameInterner names)
    {
        _keytab = keytab;
        _names = names;
    }

    /// <summary>The GSS session key on success, else null with the session's status and note saying why (no key for
    /// the principal/kvno/type, a key that fails the integrity check, an unsupported type).</summary>
    public byte[]? Recover(SessionTally session, AuthenticationExchange exchange)
    {
        KerberosApReq apReq;
        KerberosEncryptedData? apRep = null;
        try
        {
            apReq = KerberosMessages.DecodeApReq(exchange.KerberosApReq);
            if (exchange.KerberosApRep is not null)
            {
                apRep = KerberosMessages.DecodeApRep(exchange.KerberosApRep);
            }
        }
        catch (SmbProtocolException e)
        {
            session.SetKeyStatus(SessionKeyStatus.Unsupported, $"the Kerberos AP-REQ/AP-REP cannot be decoded ({e.Message})");
            return null;
        }

        KerberosRecovery recovery = KerberosSessionKeyRecovery.Recover(apReq, apRep, _keytab);
        session.Kerberos = new KerberosSessionInfo(
            recovery.ServicePrincipal,
            recovery.ClientPrincipal,
            KerberosEncryptionTypes.GetName(recovery.TicketEncryptionType),
            recovery.Kvno,
            recovery.TicketSessionKeyEncryptionType is { } ticketKeyType ? KerberosEncryptionTypes.GetName(ticketKeyType) : null,
            recovery.SessionKeySource,
            recovery.SessionKeyEncryptionType is { } keyType ? KerberosEncryptionTypes.GetName(keyType) : null);
        switch (recovery.Status)
        {
            case KerberosRecoveryStatus.Recovered:
                if (session.User is null && recovery.ClientPrincipal is { } client)
                {
                    int at = client.LastIndexOf('@');
                    session.User = _names.Intern(at < 0 ? client : client[..at]);
                    session.Domain = at < 0 ? null : _names.Intern(client[(at + 1)..]);
                }

                return recovery.SessionKey;
            case KerberosRecoveryStatus.NoKey:
                session.SetKeyStatus(SessionKeyStatus.NoKey, recovery.Note);
                return null;
            case KerberosRecoveryStatus.UnsupportedEncryption:
                session.SetKeyStatus(SessionKeyStatus.Unsupported, recovery.Note);
                return null;
            default:
                session.SetKeyStatus(SessionKeyStatus.WrongKey, recovery.Note);
                return null;
        }
    }
}
