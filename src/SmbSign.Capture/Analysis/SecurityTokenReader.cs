using SmbSign.Protocol;
using SmbSign.Protocol.Kerberos;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Security.Spnego;

namespace SmbSign.Capture.Analysis;

/// <summary>Reads a SESSION_SETUP security buffer: SPNEGO NegTokenInit / NegTokenResp, a raw NTLMSSP token or a bare
/// GSS-API Kerberos token. It names the mechanism, hands NTLM messages to the <see cref="NtlmExchangeReader"/> and keeps
/// the Kerberos AP-REQ / AP-REP for the keytab at the final response.</summary>
internal sealed class SecurityTokenReader
{
    private readonly NtlmExchangeReader _ntlm;

    public SecurityTokenReader(NtlmExchangeReader ntlm)
    {
        _ntlm = ntlm;
    }

    /// <summary><paramref name="session"/> is null for a first leg not yet bound to a session: its AUTHENTICATE (there
    /// is none in a first leg) would have no session to name.</summary>
    public void Read(AuthenticationExchange exchange, SessionTally? session, ReadOnlySpan<byte> buffer)
    {
        ReadOnlySpan<byte> ntlm = default;
        try
        {
            if (NtlmMessage.IsNtlmssp(buffer))
            {
                ntlm = buffer;
                exchange.Mechanism ??= "NTLM";
            }
            else if (KerberosMessages.IsKerberosToken(buffer))
            {
                // A bare GSS-API Kerberos token, without SPNEGO around it.
                KeepKerberosToken(exchange, buffer);
            }
            else if (!buffer.IsEmpty && buffer[0] == 0x60)
            {
                NegTokenInit init = NegTokenInit.Decode(buffer);
                if (init.MechToken is { } token && NtlmMessage.IsNtlmssp(token.Span))
                {
                    exchange.Mechanism ??= "NTLM";
                    ntlm = token.Span;
                }
                else if (init.MechToken is { } kerberos && KerberosMessages.IsKerberosToken(kerberos.Span))
                {
                    KeepKerberosToken(exchange, kerberos.Span);
                }
                else if (init.MechTypes.Count > 0)
                {
                    exchange.Mechanism ??= MechanismName(init.MechTypes[0]);
                }
            }
            else if (!buffer.IsEmpty && buffer[0] == 0xA1)
            {
                NegTokenResp resp = NegTokenResp.Decode(buffer);
                if (resp.ResponseToken is { } token && NtlmMessage.IsNtlmssp(token.Span))
                {
                    ntlm = token.Span;
                    exchange.Mechanism ??= "NTLM";
                }
                else if (resp.ResponseToken is { } kerberos && KerberosMessages.IsKerberosToken(kerberos.Span))
                {
                    KeepKerberosToken(exchange, kerberos.Span);
                }
                else if (resp.SupportedMech is { } mech)
                {
                    exchange.Mechanism ??= MechanismName(mech);
                }
            }

            if (session is not null)
            {
                session.Authentication ??= exchange.Mechanism;
            }

            if (ntlm.IsEmpty)
            {
                return;
            }

            switch (NtlmMessage.GetMessageType(ntlm))
            {
                case NtlmMessageType.Challenge:
                    NtlmExchangeReader.OnChallenge(exchange, NtlmChallengeMessage.Parse(ntlm));
                    break;
                case NtlmMessageType.Authenticate when session is not null:
                    _ntlm.OnAuthenticate(exchange, session, NtlmAuthenticateMessage.Parse(ntlm));
                    break;
            }
        }
        catch (SmbProtocolException)
        {
            // A token the codecs reject: the session keeps no key (reported as such), the capture goes on.
        }
    }

    /// <summary>Keeps a Kerberos AP-REQ or AP-REP token for the key recovery at the final response (bounded: one of
    /// each per session; a KRB-ERROR is only noted as the mechanism).</summary>
    private static void KeepKerberosToken(AuthenticationExchange exchange, ReadOnlySpan<byte> token)
    {
        exchange.Mechanism ??= "Kerberos";
        switch (KerberosMessages.Unwrap(token, out _))
        {
            case KerberosTokenKind.ApReq:
                exchange.KerberosApReq = token.ToArray();
                exchange.KerberosApRep = null; // a new AP-REQ (e.g. after a KRB-ERROR) starts over
                break;
            case KerberosTokenKind.ApRep:
                exchange.KerberosApRep = token.ToArray();
                break;
        }
    }

    private static string MechanismName(string oid) => oid switch
    {
        SpnegoMechanisms.Ntlmssp => "NTLM",
        SpnegoMechanisms.Kerberos or SpnegoMechanisms.MsKerberos or SpnegoMechanisms.KerberosUserToUser => "Kerberos",
        _ => SpnegoMechanisms.GetName(oid),
    };
}
