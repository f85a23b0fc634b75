using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Close;
using SmbSign.Protocol.Smb2.Create;
using SmbSign.Protocol.Smb2.Echo;
using SmbSign.Protocol.Smb2.Ioctl;
using SmbSign.Protocol.Smb2.Logoff;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.QueryDirectory;
using SmbSign.Protocol.Smb2.Read;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Protocol.Smb2.TreeConnect;
using SmbSign.Protocol.Smb2.TreeDisconnect;
using SmbSign.Wire.Session.Kerberos;
using SmbSign.Wire.Transport;

namespace SmbSign.Wire.Session;

/// <summary>One SMB2/3 verification session: NEGOTIATE → SESSION_SETUP (SPNEGO/NTLMv2) → keys → TREE_CONNECT →
/// (3.0/3.0.2: VALIDATE_NEGOTIATE_INFO) → ECHO, CREATE, QUERY_DIRECTORY or READ, CLOSE → TREE_DISCONNECT → LOGOFF.
/// Requests are signed when [MS-SMB2] 3.2.4.1.1 says so; every response is checked per 3.2.5.1.3 and recorded.</summary>
internal sealed partial class Smb2SessionDriver : IDisposable
{
    private const ushort CreditRequest = 64;
    private const int MaxReadLength = 64 * 1024;
    private const ulong OplockBreakMessageId = ulong.MaxValue;
    private static readonly string[] s_mechTypes = [SpnegoMechanisms.Ntlmssp];

    private readonly SmbConnection _connection;
    private readonly SmbClientOptions _options;
    private readonly SessionRecorder _recorder;
    private readonly NtlmClientContext _ntlm;
    private readonly Action<Span<byte>> _random;
    private readonly string _password;
    private ulong _nextMessageId;
    private ulong _sessionId;
    private uint _treeId;
    private Dialect _dialect;
    private Smb2NegotiateRequest? _negotiateRequest;
    private Smb2NegotiateResponse? _negotiateResponse;
    private Smb2KeySchedule? _keys;
    private Smb2MessageSigner? _signer;
    private bool _signingRequired;
    private bool _authenticated;
    private bool _anonymousOrGuest;

    public Smb2SessionDriver(SmbConnection connection, SmbClientOptions options, string password, SessionRecorder recorder, Action<Span<byte>> random, TimeProvider time)
    {
        _connection = connection;
        _options = options;
        _recorder = recorder;
        _random = random;
        _password = password;
        _ntlm = new NtlmClientContext(options.User, options.Domain, options.Workstation, password, random, time) { NtHash = options.NtHash };
    }

    private Smb2SecurityMode SecurityMode => Smb2SecurityMode.SigningEnabled | (_options.RequireSigning ? Smb2SecurityMode.SigningRequired : 0);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await NegotiateAsync(cancellationToken).ConfigureAwait(false);
        await SessionSetupAsync(cancellationToken).ConfigureAwait(false);
        ShareType shareType = await TreeConnectAsync(cancellationToken).ConfigureAwait(false);
        if (_dialect is Dialect.Smb300 or Dialect.Smb302 && !_anonymousOrGuest)
        {
            await ValidateNegotiateAsync(cancellationToken).ConfigureAwait(false);
        }

        await SendAsync(EchoRequest.Instance, 0, cancellationToken).ConfigureAwait(false);
        if (shareType == ShareType.Pipe)
        {
            await OpenPipeAsync("srvsvc", cancellationToken).ConfigureAwait(false);
        }
        else if (_options.ReadPath is { } path)
        {
            await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ListRootAsync(cancellationToken).ConfigureAwait(false);
        }

        await SendAsync(TreeDisconnectRequest.Instance, _treeId, cancellationToken).ConfigureAwait(false);
        await SendAsync(LogoffRequest.Instance, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On a fresh connection: NEGOTIATE and SESSION_SETUP as in <see cref="RunAsync"/>, then one ECHO carrying the
    /// session's SessionId, sent unsigned or with a wrong signature. [MS-SMB2] 3.3.5.2.9 / 3.3.5.17: an ECHO with a
    /// non-zero SessionId is checked against the session, so a server that requires signing refuses it
    /// (STATUS_ACCESS_DENIED per 3.3.5.2.4, or a disconnect). Setup failures unwind as in <see cref="RunAsync"/>.</summary>
    public async Task<EnforcementProbe> ProbeAsync(EnforcementProbeKind kind, CancellationToken cancellationToken)
    {
        await NegotiateAsync(cancellationToken).ConfigureAwait(false);
        await SessionSetupAsync(cancellationToken).ConfigureAwait(false);
        const string name = "ECHO";
        if (_signer is null)
        {
            return new EnforcementProbe(kind, name, ProbeOutcome.NotRun, null, "the session has no key (guest or anonymous logon)");
        }

        ushort creditCharge = (ushort)(_dialect == Dialect.Smb202 ? 0 : 1);
        Smb2Header header = Header(Smb2Command.Echo, 0, creditCharge);
        byte[] request = new byte[Smb2Header.Size + EchoRequest.Instance.GetEncodedLength()];
        header.Write(request);
        EchoRequest.Instance.WriteTo(request.AsSpan(Smb2Header.Size));
        if (kind == EnforcementProbeKind.BadSignature)
        {
            // The correct signature with one byte changed: only the signature is wrong, everything else is valid.
            _signer.Sign(request, Smb2SenderRole.Client);
            request[Smb2Header.SignatureOffset] ^= 0xFF;
        }

        try
        {
            await _connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                ReadOnlyMemory<byte> received = await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                Smb2Header response = Smb2Header.Read(received.Span);
                if (response.MessageId == OplockBreakMessageId || (response.IsAsync && response.Status == NtStatus.Pending))
                {
                    continue;
                }

                if (response.MessageId != header.MessageId || !response.IsResponse)
                {
                    throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture,
                        $"expected the ECHO response to MessageId {header.MessageId}, got {Smb2CommandNames.Get(response.Command)} MessageId {response.MessageId}"), Smb2Header.MessageIdOffset);
                }

                return EnforcementProbe.FromStatus(kind, name, response.Status);
            }
        }
        catch (SmbTransportException e) when (e.Kind is TransportErrorKind.ConnectionClosed or TransportErrorKind.ConnectionReset)
        {
            return new EnforcementProbe(kind, name, ProbeOutcome.Disconnected, null,
                $"the server closed the connection on {(kind == EnforcementProbeKind.Unsigned ? "an unsigned" : "a wrongly signed")} {name} request");
        }
        catch (SmbTransportException e) when (e.Kind == TransportErrorKind.Timeout)
        {
            return new EnforcementProbe(kind, name, ProbeOutcome.NoAnswer, null, string.Create(CultureInfo.InvariantCulture,
                $"the server did not answer {(kind == EnforcementProbeKind.Unsigned ? "an unsigned" : "a wrongly signed")} {name} request within {_options.Timeout.TotalMilliseconds:0} ms"));
        }
    }

    private async Task NegotiateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Dialect> dialects = _options.Dialect is { } d ? [d] : DialectInfo.Smb2Dialects;
        byte[] salt = new byte[32];
        _random(salt);
        Span<byte> guid = stackalloc byte[16];
        _random(guid);
        IReadOnlyList<SigningAlgorithm>? algorithms = _options.SigningAlgorithm is { } a ? [a] : null;
        Smb2NegotiateRequest probe = Smb2NegotiateRequest.CreateProbe(new Guid(guid), salt, dialects, algorithms);
        _negotiateRequest = probe with
        {
            SecurityMode = SecurityMode,
            Capabilities = Smb2Capabilities.Dfs | Smb2Capabilities.LargeMtu,

            // No ENCRYPTION context and no CAP_ENCRYPTION: the session must stay signed, not encrypted.
            Contexts = probe.Contexts is null ? null : probe.Contexts with { Ciphers = null, Compression = null },
        };
        Smb2Header header = Header(Smb2Command.Negotiate, 0, creditCharge: 0);
        byte[] request = _negotiateRequest.ToArray(header);
        _nextMessageId = 1;
        Record(request, MessageDirection.Request, mustBeSigned: false, signed: false);

        ReadOnlyMemory<byte> response;
        try
        {
            response = await ExchangeRawAsync(request, "NEGOTIATE", cancellationToken).ConfigureAwait(false);
        }
        catch (SmbTransportException e) when (e.Kind is TransportErrorKind.ConnectionClosed or TransportErrorKind.ConnectionReset && _options.Dialect is not null)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.DialectRefused,
                $"the server closed the connection when offered only dialect {_options.Dialect.Value.ToDisplayString()}: it does not speak it"));
        }

        Smb2Header responseHeader = Smb2Header.Read(response.Span);
        Record(response.Span, MessageDirection.Response, mustBeSigned: false, signed: responseHeader.IsSigned);
        if (responseHeader.Status != NtStatus.Success)
        {
            throw new SessionAbortException(new SessionError(
                _options.Dialect is null ? SessionErrorKind.Protocol : SessionErrorKind.DialectRefused,
                string.Create(CultureInfo.InvariantCulture, $"the server refused NEGOTIATE with status 0x{responseHeader.Status:X8}{(_options.Dialect is { } wanted ? $" (dialect {wanted.ToDisplayString()} requested)" : string.Empty)}"),
                responseHeader.Status));
        }

        _negotiateResponse = Smb2NegotiateResponse.Parse(response.Span);
        _dialect = _negotiateResponse.DialectRevision;
        if (!dialects.Contains(_dialect))
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.DialectRefused,
                $"the server chose dialect {_dialect.ToDisplayString()}, which was not offered ({string.Join(", ", dialects.Select(x => x.ToDisplayString()))})"));
        }

        SigningAlgorithm algorithm = _negotiateResponse.ConnectionSigningAlgorithm ?? _dialect.DefaultSigningAlgorithm();
        _recorder.Dialect = _dialect;
        _recorder.SigningAlgorithm = algorithm;
        _recorder.ServerRequiresSigning = _negotiateResponse.SigningRequired;
        if (_dialect == Dialect.Smb311 && _options.SigningAlgorithm is { } only && algorithm != only)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.DialectRefused,
                $"the server did not accept signing algorithm {only.ToDisplayString()} (it signs with {algorithm.ToDisplayString()})"));
        }

        if (!_negotiateResponse.SecurityBuffer.IsEmpty)
        {
            NegTokenInit hints = NegTokenInit.Decode(_negotiateResponse.SecurityBuffer.Span);
            if (_options.Kerberos is not null)
            {
                if (hints.MechTypes.Count > 0 && !hints.MechTypes.Contains(SpnegoMechanisms.Kerberos) && !hints.MechTypes.Contains(SpnegoMechanisms.MsKerberos))
                {
                    throw new SessionAbortException(new SessionError(SessionErrorKind.Unsupported,
                        $"the server does not offer Kerberos authentication (mechanisms: {string.Join(", ", hints.MechanismNames)})"));
                }
            }
            else if (hints.MechTypes.Count > 0 && !hints.MechTypes.Contains(SpnegoMechanisms.Ntlmssp))
            {
                throw new SessionAbortException(new SessionError(SessionErrorKind.Unsupported,
                    $"the server does not offer NTLM authentication (mechanisms: {string.Join(", ", hints.MechanismNames)})"));
            }
        }

        _keys = Smb2KeySchedule.AfterNegotiate(_dialect, algorithm, request, response.Span);
    }

    private async Task SessionSetupAsync(CancellationToken cancellationToken)
    {
        if (_options.Kerberos is not null)
        {
            await KerberosSessionSetupAsync(_options.Kerberos, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Round 1: SPNEGO NegTokenInit carrying the NTLM NEGOTIATE_MESSAGE.
        byte[] token = new NegTokenInit { MechTypes = s_mechTypes, MechToken = _ntlm.CreateNegotiate() }.Encode();
        (Smb2Header header1, byte[] response1) = await SessionSetupRoundAsync(token, cancellationToken).ConfigureAwait(false);
        if (header1.Status != NtStatus.MoreProcessingRequired)
        {
            throw LogonError(header1.Status, "first");
        }

        _sessionId = header1.SessionId;
        NegTokenResp challengeToken = NegTokenResp.Decode(Smb2SessionSetupResponse.Parse(response1).SecurityBuffer.Span);
        if (challengeToken.ResponseToken is not { } challenge)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol, "the server's SESSION_SETUP response carries no NTLM CHALLENGE"));
        }

        // Round 2: NegTokenResp with the AUTHENTICATE_MESSAGE and the mechListMIC.
        byte[] authenticate = _ntlm.CreateAuthenticate(challenge.Span);
        byte[] mechTypeList = NegTokenInit.EncodeMechTypeList(s_mechTypes);
        token = new NegTokenResp { ResponseToken = authenticate, MechListMic = _ntlm.ComputeMechListMic(mechTypeList) }.Encode();
        (Smb2Header header2, byte[] response2) = await SessionSetupRoundAsync(token, cancellationToken).ConfigureAwait(false);
        if (header2.Status == NtStatus.MoreProcessingRequired)
        {
            // NTLMSSP ends with AUTHENTICATE ([MS-NLMP] 1.3.1.1): a server asking for a third round is not following
            // the protocol; this is not a wrong password.
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol,
                "the server answered the final SESSION_SETUP (NTLM AUTHENTICATE) with STATUS_MORE_PROCESSING_REQUIRED (0xC0000016): NTLM authentication has no third round",
                header2.Status));
        }

        if (header2.Status != NtStatus.Success)
        {
            throw LogonError(header2.Status, "second");
        }

        Smb2SessionSetupResponse final = Smb2SessionSetupResponse.Parse(response2);
        _recorder.SessionFlags = (ushort)final.SessionFlags;
        _anonymousOrGuest = final.IsGuest || final.IsNull;
        _authenticated = true;
        bool serverRequires = _negotiateResponse!.SigningRequired;
        if (_anonymousOrGuest)
        {
            RecordFinal(response2, verified: null, note: "guest/anonymous session: no session key, nothing can be signed");
            if (_options.RequireSigning || serverRequires)
            {
                throw new SessionAbortException(new SessionError(SessionErrorKind.GuestSession,
                    $"the server logged '{_options.User}' on as guest/anonymous although signing is required: such a session has no key and cannot be signed (check the user name and password)"));
            }

            return;
        }

        if ((final.SessionFlags & Smb2SessionFlags.EncryptData) != 0)
        {
            RecordFinal(response2, verified: null, note: "the server requires encryption for this session");
            throw new SessionAbortException(new SessionError(SessionErrorKind.Unsupported,
                "the server requires encryption for this session (SMB2_SESSION_FLAG_ENCRYPT_DATA); smbsign verify checks signed, unencrypted sessions"));
        }

        _signer = _keys!.Complete(_ntlm.SessionKey);
        _signingRequired = _options.RequireSigning || serverRequires;
        _recorder.SessionSigningRequired = _signingRequired;

        // [MS-SMB2] 3.2.5.3.1: at 3.x the final response is signed (3.1.1 clients fail without it); at 2.x when signing is required.
        bool mustBeSigned = _dialect.IsSmb3() || _signingRequired;
        VerifyResponse(response2, header2, mustBeSigned, "SESSION_SETUP");

        NegTokenResp accept = NegTokenResp.Decode(final.SecurityBuffer.Span);
        if (accept.MechListMic is { } serverMic && !_ntlm.VerifyServerMechListMic(mechTypeList, serverMic.Span))
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol, "the server's SPNEGO mechListMIC does not verify"));
        }
    }

    /// <summary>SESSION_SETUP with Kerberos in SPNEGO: the platform's GSSAPI/SSPI builds the AP-REQ for cifs/HOST and
    /// checks the AP-REP (mutual authentication) and the SPNEGO MICs; the session key is the established context's, and
    /// the SMB keys come from its first 16 bytes exactly as for NTLM ([MS-SMB2] 3.2.5.3.1, in
    /// <see cref="Smb3SessionKeys.NormalizeSessionKey"/>). The final response is verified only after the context is
    /// complete, so its signature is checked with a key the server proved it holds.</summary>
    private async Task KerberosSessionSetupAsync(KerberosOptions kerberos, CancellationToken cancellationToken)
    {
        using IKerberosClientContext context = Kerberos(() => KerberosClientContext.Create(
            _options.Host, _options.User.Length == 0 ? null : _options.User, _options.Domain, _password, kerberos));
        bool complete = false;
        byte[] token = Kerberos(() => context.Step([], out complete));
        Smb2Header header;
        byte[] response;
        for (int round = 1; ; round++)
        {
            (header, response) = await SessionSetupRoundAsync(token, cancellationToken).ConfigureAwait(false);
            _sessionId = header.SessionId;
            if (header.Status == NtStatus.MoreProcessingRequired)
            {
                if (complete || round >= 4)
                {
                    throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol,
                        "the server asked for another SESSION_SETUP round after the Kerberos context was complete", header.Status));
                }

                ReadOnlyMemory<byte> serverToken = Smb2SessionSetupResponse.Parse(response).SecurityBuffer;
                token = Kerberos(() => context.Step(serverToken.Span, out complete));
                continue;
            }

            if (header.Status != NtStatus.Success)
            {
                throw LogonError(header.Status, round == 1 ? "first" : "second");
            }

            break;
        }

        Smb2SessionSetupResponse final = Smb2SessionSetupResponse.Parse(response);
        if (!complete)
        {
            // The AP-REP (and the server's mechListMIC) arrive with the final response; the context must accept them.
            ReadOnlyMemory<byte> serverToken = final.SecurityBuffer;
            byte[] last = Kerberos(() => context.Step(serverToken.Span, out complete));
            if (!complete || last.Length > 0)
            {
                throw new SessionAbortException(new SessionError(SessionErrorKind.Kerberos,
                    "the server completed the logon but the Kerberos context is not complete (no AP-REP: mutual authentication not done)"));
            }
        }

        _recorder.SessionFlags = (ushort)final.SessionFlags;
        _recorder.ClientPrincipal = context.ClientPrincipal;
        _anonymousOrGuest = final.IsGuest || final.IsNull;
        _authenticated = true;
        if (_anonymousOrGuest)
        {
            RecordFinal(response, verified: null, note: "guest/anonymous session: no session key, nothing can be signed");
            throw new SessionAbortException(new SessionError(SessionErrorKind.GuestSession,
                "the server logged the Kerberos user on as guest/anonymous: such a session has no key and cannot be signed"));
        }

        if ((final.SessionFlags & Smb2SessionFlags.EncryptData) != 0)
        {
            RecordFinal(response, verified: null, note: "the server requires encryption for this session");
            throw new SessionAbortException(new SessionError(SessionErrorKind.Unsupported,
                "the server requires encryption for this session (SMB2_SESSION_FLAG_ENCRYPT_DATA); smbsign verify checks signed, unencrypted sessions"));
        }

        int encryptionType = 0;
        byte[] sessionKey = Kerberos(() => context.SessionKey(out encryptionType));
        try
        {
            _recorder.KerberosSessionKeyType = encryptionType == 0 ? null : KerberosClientContext.EncryptionTypeName(encryptionType);
            _recorder.KerberosSessionKeyLength = sessionKey.Length;
            _signer = _keys!.Complete(sessionKey);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(sessionKey);
        }

        _signingRequired = _options.RequireSigning || _negotiateResponse!.SigningRequired;
        _recorder.SessionSigningRequired = _signingRequired;
        VerifyResponse(response, header, _dialect.IsSmb3() || _signingRequired, "SESSION_SETUP");
    }

    /// <summary>Runs a GSSAPI/SSPI step; a Kerberos failure ends the session with its one-line explanation.</summary>
    private static T Kerberos<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (KerberosException e)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Kerberos, e.Message));
        }
    }

    private async Task<(Smb2Header Header, byte[] Message)> SessionSetupRoundAsync(byte[] token, CancellationToken cancellationToken)
    {
        var body = new Smb2SessionSetupRequest { SecurityMode = (Smb2SecurityMode)(byte)SecurityMode, SecurityBuffer = token };
        byte[] request = body.ToArray(Header(Smb2Command.SessionSetup, 0, creditCharge: 1));
        _keys!.OnSessionSetupRequest(request);
        Record(request, MessageDirection.Request, mustBeSigned: false, signed: false);
        ReadOnlyMemory<byte> received = await ExchangeRawAsync(request, "SESSION_SETUP", cancellationToken).ConfigureAwait(false);
        byte[] response = received.ToArray();
        Smb2Header header = Smb2Header.Read(response);
        if (header.Command != Smb2Command.SessionSetup || !header.IsResponse)
        {
            throw new SmbProtocolException($"expected a SESSION_SETUP response, got {Smb2CommandNames.Get(header.Command)}", Smb2Header.CommandOffset);
        }

        _keys.OnSessionSetupResponse(response);
        if (header.Status != NtStatus.Success)
        {
            Record(response, MessageDirection.Response, mustBeSigned: false, signed: header.IsSigned);
        }

        return (header, response);
    }

    private void RecordFinal(byte[] response, bool? verified, string note)
    {
        Smb2Header header = Smb2Header.Read(response);
        _recorder.Add(new MessageRecord("SESSION_SETUP", MessageDirection.Response, header.MessageId, header.Status, header.IsSigned, verified, MustBeSigned: true, note));
    }

    private SessionAbortException LogonError(uint status, string round) => new(status switch
    {
        NtStatus.LogonFailure => new SessionError(SessionErrorKind.LogonFailure, $"logon failure (STATUS_LOGON_FAILURE): wrong user name or password for '{Qualified()}'", status),
        0xC000_0064 => new SessionError(SessionErrorKind.LogonFailure, $"logon failure (STATUS_NO_SUCH_USER): unknown user '{Qualified()}'", status),
        0xC000_006E or 0xC000_0070 or 0xC000_0071 or 0xC000_0072 or 0xC000_0193 or 0xC000_0234 =>
            new SessionError(SessionErrorKind.LogonFailure, string.Create(CultureInfo.InvariantCulture, $"logon failure: the account '{Qualified()}' may not log on (status 0x{status:X8})"), status),
        NtStatus.AccessDenied => new SessionError(SessionErrorKind.AccessDenied, $"access denied during logon of '{Qualified()}'", status),
        _ when (status >> 30) < 2 => new SessionError(SessionErrorKind.Protocol,
            $"SESSION_SETUP ({round} round) answered with {NtStatusNames.Describe(status)}, which is not a valid result of that round", status),
        _ => new SessionError(SessionErrorKind.LogonFailure, $"SESSION_SETUP ({round} round) failed with {NtStatusNames.Describe(status)}", status),
    });

    private string Qualified() => _options.Domain.Length == 0 ? _options.User : _options.Domain + "\\" + _options.User;

    private async Task<ShareType> TreeConnectAsync(CancellationToken cancellationToken)
    {
        string host = _options.Host.Contains(':', StringComparison.Ordinal) ? "[" + _options.Host + "]" : _options.Host;
        var request = new TreeConnectRequest { Path = $@"\\{host}\{_options.Share}" };

        // [MS-SMB2] 3.2.4.1.1 / 3.3.5.7: at 3.1.1 TREE_CONNECT is signed on every non-guest, non-anonymous session.
        bool forceSign = _dialect == Dialect.Smb311 && !_anonymousOrGuest;
        (Smb2Header header, byte[] response) = await SendAsync(request, 0, cancellationToken, forceSign).ConfigureAwait(false);
        if (header.Status == NtStatus.BadNetworkName)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.BadNetworkName, $"the server has no share named '{_options.Share}' (STATUS_BAD_NETWORK_NAME)", header.Status));
        }

        if (header.Status != NtStatus.Success)
        {
            throw new SessionAbortException(new SessionError(
                header.Status == NtStatus.AccessDenied ? SessionErrorKind.AccessDenied : SessionErrorKind.Protocol,
                string.Create(CultureInfo.InvariantCulture, $"TREE_CONNECT to '{_options.Share}' failed with status 0x{header.Status:X8}"),
                header.Status));
        }

        TreeConnectResponse tree = TreeConnectResponse.Parse(response);
        if (tree.EncryptData)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Unsupported,
                $"share '{_options.Share}' requires encryption (SMB2_SHAREFLAG_ENCRYPT_DATA); smbsign verify checks signed, unencrypted sessions"));
        }

        _treeId = header.TreeId;
        return tree.ShareType;
    }

    private async Task ValidateNegotiateAsync(CancellationToken cancellationToken)
    {
        var validate = new ValidateNegotiateInfoRequest
        {
            Capabilities = (uint)_negotiateRequest!.Capabilities,
            ClientGuid = _negotiateRequest.ClientGuid,
            SecurityMode = _negotiateRequest.SecurityMode,
            Dialects = _negotiateRequest.Dialects,
        };

        // Always signed at 3.0/3.0.2, whatever the signing policy (protocol notes §6).
        (Smb2Header header, byte[] response) = await SendAsync(validate.ToIoctl(), _treeId, cancellationToken, forceSign: true, responseMustBeSigned: true).ConfigureAwait(false);
        if (header.Status != NtStatus.Success)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol,
                string.Create(CultureInfo.InvariantCulture, $"FSCTL_VALIDATE_NEGOTIATE_INFO failed with status 0x{header.Status:X8}"), header.Status));
        }

        ValidateNegotiateInfoResponse answer = ValidateNegotiateInfoResponse.Parse(IoctlResponse.Parse(response).Output.Span);
        Smb2NegotiateResponse negotiated = _negotiateResponse!;
        if (answer.Dialect != negotiated.DialectRevision || answer.ServerGuid != negotiated.ServerGuid
            || answer.SecurityMode != negotiated.SecurityMode || answer.Capabilities != (uint)negotiated.Capabilities)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol,
                "FSCTL_VALIDATE_NEGOTIATE_INFO does not match the NEGOTIATE response: possible downgrade attack"));
        }

        _recorder.Operation($"validated NEGOTIATE (dialect {answer.Dialect.ToDisplayString()}) with FSCTL_VALIDATE_NEGOTIATE_INFO");
    }

    private async Task OpenPipeAsync(string name, CancellationToken cancellationToken)
    {
        var create = new CreateRequest
        {
            Name = name,
            DesiredAccess = AccessMask.FileReadData | AccessMask.FileWriteData | AccessMask.FileReadAttributes | AccessMask.Synchronize,
            ShareAccess = ShareAccess.Read | ShareAccess.Write,
            CreateOptions = CreateOptions.NonDirectoryFile,
        };
        (Smb2Header header, byte[] response) = await SendAsync(create, _treeId, cancellationToken).ConfigureAwait(false);
        if (header.Status != NtStatus.Success)
        {
            _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"could not open pipe {name}: status 0x{header.Status:X8}"));
            return;
        }

        Smb2FileId fileId = CreateResponse.Parse(response).FileId;
        _recorder.Operation($"opened pipe {name}");
        await SendAsync(new CloseRequest { FileId = fileId }, _treeId, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        var create = new CreateRequest
        {
            Name = path.Replace('/', '\\').TrimStart('\\'),
            DesiredAccess = AccessMask.FileReadData | AccessMask.FileReadAttributes | AccessMask.Synchronize,
            ShareAccess = ShareAccess.Read | ShareAccess.Write | ShareAccess.Delete,
            CreateOptions = CreateOptions.NonDirectoryFile,
        };
        (Smb2Header header, byte[] response) = await SendAsync(create, _treeId, cancellationToken).ConfigureAwait(false);
        if (header.Status != NtStatus.Success)
        {
            _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"could not open {path}: status 0x{header.Status:X8}"));
            return;
        }

        CreateResponse file = CreateResponse.Parse(response);
        uint length = (uint)Math.Min(file.EndOfFile, (ulong)Math.Min(MaxReadLength, _negotiateResponse!.MaxReadSize));
        if (length > 0)
        {
            (Smb2Header readHeader, byte[] readResponse) = await SendAsync(new ReadRequest { FileId = file.FileId, Length = length }, _treeId, cancellationToken).ConfigureAwait(false);
            if (readHeader.Status == NtStatus.Success)
            {
                ReadOnlyMemory<byte> data = ReadResponse.Parse(readResponse).Data;
                _recorder.ReadData = data;
                _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"read {data.Length} of {file.EndOfFile} bytes from {path}"));
            }
            else
            {
                _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"READ of {path} failed: status 0x{readHeader.Status:X8}"));
            }
        }
        else
        {
            _recorder.Operation($"{path} is empty");
        }

        await SendAsync(new CloseRequest { FileId = file.FileId }, _treeId, cancellationToken).ConfigureAwait(false);
    }

    private async Task ListRootAsync(CancellationToken cancellationToken)
    {
        var create = new CreateRequest
        {
            Name = string.Empty,
            DesiredAccess = AccessMask.FileReadData | AccessMask.FileReadAttributes | AccessMask.Synchronize,
            ShareAccess = ShareAccess.Read | ShareAccess.Write | ShareAccess.Delete,
            CreateOptions = CreateOptions.DirectoryFile,
        };
        (Smb2Header header, byte[] response) = await SendAsync(create, _treeId, cancellationToken).ConfigureAwait(false);
        if (header.Status != NtStatus.Success)
        {
            _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"could not open the share root: status 0x{header.Status:X8}"));
            return;
        }

        Smb2FileId directory = CreateResponse.Parse(response).FileId;
        var query = new QueryDirectoryRequest
        {
            FileId = directory,
            FileInformationClass = FileInformationClass.FileDirectoryInformation,
            Flags = QueryDirectoryFlags.RestartScans,
            OutputBufferLength = (uint)Math.Min(MaxReadLength, _negotiateResponse!.MaxTransactSize),
        };
        (Smb2Header queryHeader, byte[] queryResponse) = await SendAsync(query, _treeId, cancellationToken).ConfigureAwait(false);
        if (queryHeader.Status == NtStatus.Success)
        {
            string[] names = [.. QueryDirectoryResponse.Parse(queryResponse).GetEntries(FileInformationClass.FileDirectoryInformation)
                .Select(e => e.FileName).Where(n => n is not "." and not "..")];
            _recorder.Operation(string.Create(CultureInfo.InvariantCulture,
                $"listed {names.Length} entr{(names.Length == 1 ? "y" : "ies")} in the share root: {string.Join(", ", names.Take(10))}{(names.Length > 10 ? ", …" : string.Empty)}"));
        }
        else
        {
            _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"QUERY_DIRECTORY failed: status 0x{queryHeader.Status:X8}"));
        }

        await SendAsync(new CloseRequest { FileId = directory }, _treeId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request after authentication, signing it when the session requires it (or
    /// <paramref name="forceSign"/>), and returns its final response after verification.</summary>
    private async Task<(Smb2Header Header, byte[] Message)> SendAsync(ISmb2Request body, uint treeId, CancellationToken cancellationToken, bool forceSign = false, bool responseMustBeSigned = false)
    {
        ushort creditCharge = (ushort)(_dialect == Dialect.Smb202 ? 0 : 1);
        Smb2Header header = Header(body.Command, treeId, creditCharge);
        byte[] request = new byte[Smb2Header.Size + body.GetEncodedLength()];
        header.Write(request);
        body.WriteTo(request.AsSpan(Smb2Header.Size));
        bool sign = _signer is not null && (_signingRequired || forceSign);
        if (sign)
        {
            _signer!.Sign(request, Smb2SenderRole.Client);
        }

        string name = Smb2CommandNames.Get(body.Command);
        Record(request, MessageDirection.Request, mustBeSigned: _authenticated, signed: sign);
        await SendRawAsync(request, name, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            ReadOnlyMemory<byte> received = await ReceiveRawAsync(name, cancellationToken).ConfigureAwait(false);
            byte[] response = received.ToArray();
            Smb2Header responseHeader = Smb2Header.Read(response);
            if (responseHeader.MessageId == OplockBreakMessageId)
            {
                _recorder.Add(new MessageRecord(Smb2CommandNames.Get(responseHeader.Command), MessageDirection.Response, responseHeader.MessageId, responseHeader.Status,
                    responseHeader.IsSigned, null, MustBeSigned: false, "server-initiated break notification: not verified ([MS-SMB2] 3.2.5.1.3)"));
                continue;
            }

            if (responseHeader.MessageId != header.MessageId || responseHeader.Command != body.Command || !responseHeader.IsResponse)
            {
                throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture,
                    $"expected the {name} response to MessageId {header.MessageId}, got {Smb2CommandNames.Get(responseHeader.Command)} MessageId {responseHeader.MessageId}"), Smb2Header.MessageIdOffset);
            }

            if (responseHeader.IsAsync && responseHeader.Status == NtStatus.Pending)
            {
                _recorder.Add(new MessageRecord(name, MessageDirection.Response, responseHeader.MessageId, responseHeader.Status,
                    responseHeader.IsSigned, null, MustBeSigned: false, "interim STATUS_PENDING response: never signed"));
                continue;
            }

            VerifyResponse(response, responseHeader, _signingRequired || responseMustBeSigned, name);
            return (responseHeader, response);
        }
    }

    /// <summary>Checks one response ([MS-SMB2] 3.2.5.1.3) and records it. A bad signature, or a missing one where
    /// signing is required, is recorded as failed and stops the session.</summary>
    private void VerifyResponse(byte[] response, Smb2Header header, bool mustBeSigned, string name)
    {
        bool? verified;
        string? note = null;
        if (header.IsSigned)
        {
            if (_signer is null)
            {
                verified = null;
                note = "signed, but the session has no key to check it with";
            }
            else
            {
                verified = _signer.Verify(response, Smb2SenderRole.Server);
                if (verified == false)
                {
                    note = $"{_signer.Algorithm.ToDisplayString()} signature does not match the message";
                }
            }
        }
        else if (mustBeSigned && _signer is not null)
        {
            verified = false;
            note = "response is not signed although the session requires signing";
        }
        else
        {
            verified = null;
        }

        _recorder.Add(new MessageRecord(name, MessageDirection.Response, header.MessageId, header.Status, header.IsSigned, verified, MustBeSigned: _authenticated, note));
        if (verified == false)
        {
            throw new VerificationStoppedException();
        }
    }

    private Smb2Header Header(Smb2Command command, uint treeId, ushort creditCharge)
    {
        ulong messageId = _nextMessageId;
        _nextMessageId += Math.Max(creditCharge, (ushort)1);
        return new Smb2Header(creditCharge, 0, command, CreditRequest, Smb2Flags.None, 0, messageId, 0, treeId, command == Smb2Command.Negotiate ? 0 : _sessionId);
    }

    private void Record(ReadOnlySpan<byte> message, MessageDirection direction, bool mustBeSigned, bool signed)
    {
        Smb2Header header = Smb2Header.Read(message);
        _recorder.Add(new MessageRecord(Smb2CommandNames.Get(header.Command), direction, header.MessageId, direction == MessageDirection.Response ? header.Status : 0,
            signed, null, mustBeSigned));
    }

    private async Task<ReadOnlyMemory<byte>> ExchangeRawAsync(byte[] request, string name, CancellationToken cancellationToken)
    {
        await SendRawAsync(request, name, cancellationToken).ConfigureAwait(false);
        return await ReceiveRawAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendRawAsync(byte[] request, string name, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (SmbTransportException e)
        {
            throw TransportError(e, name, "sending");
        }
    }

    private async Task<ReadOnlyMemory<byte>> ReceiveRawAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SmbTransportException e) when (e.Kind is not (TransportErrorKind.ConnectionClosed or TransportErrorKind.ConnectionReset) || name != "NEGOTIATE")
        {
            throw TransportError(e, name, "waiting for the response to");
        }
    }

    private SessionAbortException TransportError(SmbTransportException e, string name, string doing) => new(e.Kind == TransportErrorKind.Timeout
        ? new SessionError(SessionErrorKind.Timeout, string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.Timeout.TotalMilliseconds:0} ms {doing} {name}"))
        : new SessionError(SessionErrorKind.Connection, $"connection lost {doing} {name}: {e.Message}"));

    public void Dispose()
    {
        _keys?.Dispose();
        _ntlm.Dispose();
    }
}
