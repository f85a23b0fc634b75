namespace SmbSign.Capture.Analysis;

/// <summary>At a session's final SESSION_SETUP response, finds its session key in the order of trust: recovered from the
/// password (NTProofStr checked), then from the keytab (integrity checked), then the keys file (unchecked); when there
/// is none, says why in the session's key note (without secrets).</summary>
internal sealed class SessionKeyFinder
{
    private readonly CaptureCredentials _credentials;
    private readonly KeytabKeyRecovery _keytab;

    public SessionKeyFinder(CaptureCredentials credentials, NameInterner names)
    {
        _credentials = credentials;
        _keytab = new KeytabKeyRecovery(credentials.KeytabEntries, names);
    }

    /// <summary>The key and where it came from, or null (the session's status says why). SMB1 passes
    /// <paramref name="tryKeytab"/> false: its Kerberos SESSION_SETUP_ANDX keys are not recovered from a keytab.</summary>
    public byte[]? Find(SessionTally session, AuthenticationExchange exchange, ulong sessionId, bool tryKeytab, out SessionKeyStatus source)
    {
        byte[]? key = exchange.SessionKey;
        source = SessionKeyStatus.Password;
        if (key is null && tryKeytab && exchange.KerberosApReq is not null && _credentials.KeytabFileCount > 0)
        {
            key = _keytab.Recover(session, exchange);
            source = SessionKeyStatus.Keytab;
        }

        if (key is null && _credentials.FindSessionKey(sessionId) is { } fromFile)
        {
            key = fromFile.SessionKey;
            source = SessionKeyStatus.KeysFile;
        }

        if (key is null && session.KeyStatus == SessionKeyStatus.NotRequested)
        {
            session.SetKeyStatus(SessionKeyStatus.NoKey, NoKeyReason(session));
        }

        return key;
    }

    private string NoKeyReason(SessionTally session)
    {
        if (session.Authentication is { } mechanism && mechanism != "NTLM")
        {
            return mechanism == "Kerberos"
                ? (_credentials.KeytabFileCount == 0
                    ? "it authenticated with Kerberos; its session key needs the server's keytab (--keytab) or a keys file entry"
                    : "it authenticated with Kerberos, but its AP-REQ is not in the capture (and the keys file has no entry for it)")
                : $"it authenticated with {mechanism}; a {mechanism} session key can only come from a keytab (Kerberos) or the keys file";
        }

        string keys = _credentials.SessionKeyCount > 0 ? " and the keys file has no entry for it" : " and no keys file (--keys) was given";
        if (_credentials.HasPassword && session.User is not null)
        {
            return $"the password given is for {Qualified(_credentials.Domain, _credentials.User!)}, not {Qualified(session.Domain, session.User)},{keys}";
        }

        return session.User is null
            ? "the AUTHENTICATE message is not in the capture" + keys
            : "no password was given for this user" + keys;
    }

    private static string Qualified(string? domain, string user) => string.IsNullOrEmpty(domain) ? user : domain + "\\" + user;
}
