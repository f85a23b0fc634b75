using SmbSign.Protocol.Security.Ntlm;
using SmbSign.Protocol.Security.Ntlmssp;

namespace SmbSign.Capture.Analysis;

/// <summary>Reads the NTLM CHALLENGE and AUTHENTICATE of a session: the server challenge, the user and domain, and
/// (with the user's password or NT hash) the session key, recovered by <see cref="NtlmCrypto.RecoverSessionKey"/>
/// (NTProofStr check, SessionBaseKey, RC4 under KEY_EXCH).</summary>
internal sealed class NtlmExchangeReader
{
    private readonly CaptureCredentials? _credentials;
    private readonly NameInterner _names;

    public NtlmExchangeReader(CaptureCredentials? credentials, NameInterner names)
    {
        _credentials = credentials;
        _names = names;
    }

    public static void OnChallenge(AuthenticationExchange exchange, NtlmChallengeMessage challenge) =>
        exchange.ServerChallenge = challenge.ServerChallenge.ToArray();

    public void OnAuthenticate(AuthenticationExchange exchange, SessionTally session, NtlmAuthenticateMessage authenticate)
    {
        session.User = _names.Intern(authenticate.UserName ?? string.Empty);
        session.Domain = _names.Intern(authenticate.DomainName ?? string.Empty);
        session.Authentication = "NTLM";
        if (_credentials is null || !_credentials.MatchesUser(session.User, session.Domain))
        {
            return;
        }

        if (exchange.ServerChallenge is null)
        {
            session.SetKeyStatus(SessionKeyStatus.SetupNotCaptured, "the server's CHALLENGE is not in the capture");
            return;
        }

        NtlmKeyRecovery recovery = NtlmCrypto.RecoverSessionKey(_credentials.NtOwfV2(session.User, session.Domain), exchange.ServerChallenge, authenticate);
        switch (recovery.Status)
        {
            case NtlmKeyRecoveryStatus.Recovered:
                exchange.SessionKey = recovery.ExportedSessionKey;
                break;
            case NtlmKeyRecoveryStatus.PasswordMismatch:
                session.SetKeyStatus(SessionKeyStatus.WrongPassword, "the password does not match the captured AUTHENTICATE (NTProofStr check failed)");
                break;
            case NtlmKeyRecoveryStatus.Anonymous:
                session.SetKeyStatus(SessionKeyStatus.NotNeeded, null);
                break;
            default:
                session.SetKeyStatus(SessionKeyStatus.Unsupported, "it authenticated with NTLMv1/LM, whose session key this tool does not derive");
                break;
        }
    }
}
