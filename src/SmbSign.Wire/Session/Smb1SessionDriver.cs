using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Wire.Transport;

namespace SmbSign.Wire.Session;

/// <summary>One SMB1 verification session: NEGOTIATE (NT LM 0.12, extended security) → SESSION_SETUP_ANDX twice
/// (SPNEGO/NTLMv2) → MD5 signing with sequence numbers ([MS-CIFS] 3.1.4.1; the final SESSION_SETUP_ANDX response is
/// number 1, the next request 2) → TREE_CONNECT_ANDX → NT_CREATE_ANDX (+ READ_ANDX) → CLOSE → TREE_DISCONNECT → LOGOFF_ANDX.</summary>
internal sealed class Smb1SessionDriver : IDisposable
{
    private const ushort ProcessId = 0xFEFF;
    private const int MaxRead = 60 * 1024;
    private const Smb1Flags RequestFlags = Smb1Flags.CaseInsensitive | Smb1Flags.CanonicalizedPaths;
    private static readonly string[] s_mechTypes = [SpnegoMechanisms.Ntlmssp];

    private readonly SmbConnection _connection;
    private readonly SmbClientOptions _options;
    private readonly SessionRecorder _recorder;
    private readonly NtlmClientContext _ntlm;
    private ushort _nextMid;
    private ushort _uid;
    private ushort _tid;
    private uint _negotiatedSessionKey;
    private ushort _maxBufferSize = 16644;
    private ushort _maxMpxCount = 50;
    private bool _signingActive;

    /// <summary>Set after NEGOTIATE: SESSION_SETUP_ANDX then carries SMB_FLAGS2_SMB_SECURITY_SIGNATURE, which is how an
    /// SMB1 client tells the server it will sign ([MS-SMB] 2.2.3.1; Samba negotiates signing from it).</summary>
    private bool _wantSigning;
    private bool _authenticated;
    private Smb1MessageSigner? _signer;
    private Smb1SigningSequence _sequence = new();

    public Smb1SessionDriver(SmbConnection connection, SmbClientOptions options, string password, SessionRecorder recorder, Action<Span<byte>> random, TimeProvider time)
    {
        _connection = connection;
        _options = options;
        _recorder = recorder;
        _ntlm = new NtlmClientContext(options.User, options.Domain, options.Workstation, password, random, time);
    }

    private Smb1Flags2 Flags2 => Smb1Flags2.LongNames | Smb1Flags2.Eas | Smb1Flags2.IsLongName | Smb1Flags2.ExtendedSecurity
        | Smb1Flags2.NtStatus | Smb1Flags2.Unicode | (_options.RequireSigning ? Smb1Flags2.SecuritySignatureRequired : 0)
        | (_wantSigning ? Smb1Flags2.SmbSecuritySignature : 0);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _wantSigning = await NegotiateAsync(cancellationToken).ConfigureAwait(false);
        await SessionSetupAsync(_wantSigning, cancellationToken).ConfigureAwait(false);
        bool pipe = await TreeConnectAsync(cancellationToken).ConfigureAwait(false);
        if (pipe)
        {
            await OpenAndCloseAsync(@"\srvsvc", directory: false, read: false, cancellationToken).ConfigureAwait(false);
        }
        else if (_options.ReadPath is { } path)
        {
            await OpenAndCloseAsync(@"\" + path.Replace('/', '\\').TrimStart('\\'), directory: false, read: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await OpenAndCloseAsync(string.Empty, directory: true, read: false, cancellationToken).ConfigureAwait(false);
        }

        await SendAsync(TreeDisconnectRequest.Instance, cancellationToken).ConfigureAwait(false);
        await SendAsync(LogoffAndXRequest.Instance, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On a fresh connection: NEGOTIATE and SESSION_SETUP_ANDX as in <see cref="RunAsync"/>, then one
    /// TREE_CONNECT_ANDX (a request that needs the session, so it falls under the session's signing, [MS-CIFS] 3.3.5.2)
    /// sent unsigned (flag clear, zero signature field) or with a wrong signature.</summary>
    public async Task<EnforcementProbe> ProbeAsync(EnforcementProbeKind kind, CancellationToken cancellationToken)
    {
        _wantSigning = await NegotiateAsync(cancellationToken).ConfigureAwait(false);
        await SessionSetupAsync(_wantSigning, cancellationToken).ConfigureAwait(false);
        const string name = "TREE_CONNECT_ANDX";
        if (_recorder.SessionFlags == VerificationReport.SessionFlagGuest)
        {
            return new EnforcementProbe(kind, name, ProbeOutcome.NotRun, null, "the session has no key (guest logon)");
        }

        string host = _options.Host.Contains(':', StringComparison.Ordinal) ? "[" + _options.Host + "]" : _options.Host;
        byte[] request = Build(new TreeConnectAndXRequest { Path = $@"\\{host}\{_options.Share.ToUpperInvariant()}" });
        ushort flags2 = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(request.AsSpan(Smb1Header.Flags2Offset));
        Span<byte> signature = request.AsSpan(Smb1Header.SecuritySignatureOffset, 8);
        if (kind == EnforcementProbeKind.Unsigned)
        {
            flags2 &= unchecked((ushort)~(ushort)Smb1Flags2.SmbSecuritySignature);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(Smb1Header.Flags2Offset), flags2);
            signature.Clear();
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(Smb1Header.Flags2Offset), (ushort)(flags2 | (ushort)Smb1Flags2.SmbSecuritySignature));
            if (_signingActive)
            {
                // The correct MAC for the next sequence number with one byte changed.
                _signer!.Sign(request, _sequence.NextRequest().Request);
                signature[0] ^= 0xFF;
            }
            else
            {
                // Signing is not active on this session, so no MAC is right: any non-zero value is a wrong signature.
                signature.Fill(0x5A);
            }
        }

        string what = kind == EnforcementProbeKind.Unsigned ? "an unsigned" : "a wrongly signed";
        try
        {
            ReadOnlyMemory<byte> received = await _connection.ExchangeAsync(request, cancellationToken).ConfigureAwait(false);
            Smb1Header header = CheckReply(received.ToArray(), TreeConnectAndXRequest.CommandCode, request);
            return EnforcementProbe.FromStatus(kind, name, header.Status);
        }
        catch (SmbTransportException e) when (e.Kind is TransportErrorKind.ConnectionClosed or TransportErrorKind.ConnectionReset)
        {
            return new EnforcementProbe(kind, name, ProbeOutcome.Disconnected, null, $"the server closed the connection on {what} {name} request");
        }
        catch (SmbTransportException e) when (e.Kind == TransportErrorKind.Timeout)
        {
            return new EnforcementProbe(kind, name, ProbeOutcome.NoAnswer, null, string.Create(CultureInfo.InvariantCulture,
                $"the server did not answer {what} {name} request within {_options.Timeout.TotalMilliseconds:0} ms"));
        }
    }

    /// <summary>NEGOTIATE offering only NT LM 0.12; returns whether this session will sign ([MS-SMB] 3.2.4.2.4 table in protocol notes §12).</summary>
    private async Task<bool> NegotiateAsync(CancellationToken cancellationToken)
    {
        var request = new Smb1NegotiateRequest { Dialects = [Smb1NegotiateRequest.NtLm012], Flags2 = Flags2, ProcessId = ProcessId, MultiplexId = _nextMid++ };
        byte[] message = request.ToArray();
        Record(message, MessageDirection.Request, signed: false, verified: null, mustBeSigned: false);
        ReadOnlyMemory<byte> received;
        try
        {
            received = await ExchangeAsync(message, "NEGOTIATE", cancellationToken).ConfigureAwait(false);
        }
        catch (SessionAbortException e) when (e.Error.Kind == SessionErrorKind.Connection)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.DialectRefused, "the server closed the connection when offered SMB1 (NT LM 0.12): SMB1 is disabled"));
        }

        if (!Smb1Header.HasSmb1ProtocolId(received.Span))
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.DialectRefused, "the server answered the SMB1 NEGOTIATE with SMB2: SMB1 (NT LM 0.12) is disabled"));
        }

        byte[] response = received.ToArray();
        Record(response, MessageDirection.Response, signed: false, verified: null, mustBeSigned: false);
        Smb1NegotiateResponse negotiate = Smb1NegotiateResponse.Parse(response);
        if (!negotiate.HasDialect)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.DialectRefused, "the server refused SMB1 (NT LM 0.12)"));
        }

        if (!negotiate.IsExtendedSecurity)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Unsupported,
                "the server does not offer SMB1 extended security (SPNEGO); smbsign verify authenticates with NTLMv2 in SPNEGO only"));
        }

        _negotiatedSessionKey = negotiate.SessionKey;
        _maxBufferSize = (ushort)Math.Min(negotiate.MaxBufferSize, 16644u);
        _maxMpxCount = (ushort)Math.Clamp(negotiate.MaxMpxCount, (ushort)1, (ushort)50);
        _recorder.Dialect = Dialect.Smb1;
        _recorder.SigningAlgorithm = SigningAlgorithm.Md5Smb1;
        _recorder.ServerRequiresSigning = negotiate.SigningState == Smb1SigningState.Required;
        return negotiate.SigningState switch
        {
            Smb1SigningState.Required => true,
            Smb1SigningState.Enabled => true, // this client's policy is "enabled": both enabled is enough to sign in SMB1
            _ when _options.RequireSigning => throw new SessionAbortException(new SessionError(SessionErrorKind.DialectRefused,
                "the server has SMB1 signing disabled and this client requires signing: the connection is blocked")),
            _ => false,
        };
    }

    private async Task SessionSetupAsync(bool wantSigning, CancellationToken cancellationToken)
    {
        byte[] token = new NegTokenInit { MechTypes = s_mechTypes, MechToken = _ntlm.CreateNegotiate() }.Encode();
        (Smb1Header header1, byte[] response1) = await SessionSetupRoundAsync(token, cancellationToken).ConfigureAwait(false);
        if (header1.Status != NtStatus.MoreProcessingRequired)
        {
            Record(response1, MessageDirection.Response, false, null, false);
            throw LogonError(header1.Status);
        }

        Record(response1, MessageDirection.Response, false, null, false);
        _uid = header1.Uid;
        NegTokenResp challengeToken = NegTokenResp.Decode(SessionSetupAndXResponse.Parse(response1).SecurityBlob.Span);
        if (challengeToken.ResponseToken is not { } challenge)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol, "the server's SESSION_SETUP_ANDX response carries no NTLM CHALLENGE"));
        }

        byte[] authenticate = _ntlm.CreateAuthenticate(challenge.Span);
        byte[] mechTypeList = NegTokenInit.EncodeMechTypeList(s_mechTypes);
        token = new NegTokenResp { ResponseToken = authenticate, MechListMic = _ntlm.ComputeMechListMic(mechTypeList) }.Encode();
        (Smb1Header header2, byte[] response2) = await SessionSetupRoundAsync(token, cancellationToken).ConfigureAwait(false);
        if (header2.Status != NtStatus.Success)
        {
            Record(response2, MessageDirection.Response, header2.SecuritySignature != 0, null, false);
            if (header2.Status == NtStatus.MoreProcessingRequired)
            {
                // NTLMSSP ends with AUTHENTICATE ([MS-NLMP] 1.3.1.1): a third round is a protocol error, not a wrong password.
                throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol,
                    "the server answered the final SESSION_SETUP_ANDX (NTLM AUTHENTICATE) with STATUS_MORE_PROCESSING_REQUIRED (0xC0000016): NTLM authentication has no third round",
                    header2.Status));
            }

            throw LogonError(header2.Status);
        }

        SessionSetupAndXResponse final = SessionSetupAndXResponse.Parse(response2);
        _authenticated = true;
        if (final.IsGuest)
        {
            _recorder.SessionFlags = VerificationReport.SessionFlagGuest;
            Record(response2, MessageDirection.Response, header2.SecuritySignature != 0, null, true, "guest session: no session key, nothing can be signed");
            if (_options.RequireSigning || _recorder.ServerRequiresSigning)
            {
                throw new SessionAbortException(new SessionError(SessionErrorKind.GuestSession,
                    $"the server logged '{_options.User}' on as guest although signing is required: such a session has no key and cannot be signed"));
            }

            return;
        }

        if (!wantSigning)
        {
            Record(response2, MessageDirection.Response, header2.SecuritySignature != 0, null, true);
            return;
        }

        // Signing starts with this response: the SESSION_SETUP_ANDX request counted as 0, its response is 1, the next request 2.
        _signer = new Smb1MessageSigner(Smb1Signing.CreateMacKey(_ntlm.SessionKey));
        _signingActive = true;
        _sequence = new Smb1SigningSequence(2);
        _recorder.SessionSigningRequired = true;
        VerifyAndRecord(response2, header2, 1, "SESSION_SETUP_ANDX");

        NegTokenResp accept = NegTokenResp.Decode(final.SecurityBlob.Span);
        if (accept.MechListMic is { } serverMic && !_ntlm.VerifyServerMechListMic(mechTypeList, serverMic.Span))
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol, "the server's SPNEGO mechListMIC does not verify"));
        }
    }

    private async Task<(Smb1Header Header, byte[] Message)> SessionSetupRoundAsync(byte[] token, CancellationToken cancellationToken)
    {
        var body = new SessionSetupAndXRequest
        {
            SecurityBlob = token,
            SessionKey = _negotiatedSessionKey,
            MaxBufferSize = _maxBufferSize,
            MaxMpxCount = _maxMpxCount,
        };
        byte[] request = Build(body);
        Record(request, MessageDirection.Request, signed: false, verified: null, mustBeSigned: false);
        ReadOnlyMemory<byte> received = await ExchangeAsync(request, "SESSION_SETUP_ANDX", cancellationToken).ConfigureAwait(false);
        byte[] response = received.ToArray();
        return (CheckReply(response, body.Command, request), response);
    }

    private SessionAbortException LogonError(uint status) => new(status switch
    {
        NtStatus.LogonFailure => new SessionError(SessionErrorKind.LogonFailure, $"logon failure (STATUS_LOGON_FAILURE): wrong user name or password for '{_options.User}'", status),
        NtStatus.AccessDenied => new SessionError(SessionErrorKind.AccessDenied, $"access denied during logon of '{_options.User}'", status),
        _ => new SessionError(SessionErrorKind.LogonFailure, $"SESSION_SETUP_ANDX failed with {NtStatusNames.Describe(status)}", status),
    });

    /// <summary>Returns true when the tree is a named-pipe share (IPC).</summary>
    private async Task<bool> TreeConnectAsync(CancellationToken cancellationToken)
    {
        string host = _options.Host.Contains(':', StringComparison.Ordinal) ? "[" + _options.Host + "]" : _options.Host;
        (Smb1Header header, byte[] response) = await SendAsync(new TreeConnectAndXRequest { Path = $@"\\{host}\{_options.Share.ToUpperInvariant()}" }, cancellationToken).ConfigureAwait(false);
        if (header.Status == NtStatus.BadNetworkName)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.BadNetworkName, $"the server has no share named '{_options.Share}' (STATUS_BAD_NETWORK_NAME)", header.Status));
        }

        if (header.Status != NtStatus.Success)
        {
            throw new SessionAbortException(new SessionError(
                header.Status == NtStatus.AccessDenied ? SessionErrorKind.AccessDenied : SessionErrorKind.Protocol,
                string.Create(CultureInfo.InvariantCulture, $"TREE_CONNECT_ANDX to '{_options.Share}' failed with status 0x{header.Status:X8}"), header.Status));
        }

        _tid = header.Tid;
        return TreeConnectAndXResponse.Parse(response).Service.StartsWith("IPC", StringComparison.Ordinal);
    }

    private async Task OpenAndCloseAsync(string name, bool directory, bool read, CancellationToken cancellationToken)
    {
        var create = new NtCreateAndXRequest
        {
            FileName = name,
            DesiredAccess = directory ? 0x0000_0081u : read ? 0x0012_0089u : 0x0012_019Fu,
            ShareAccess = 0x7,
            CreateOptions = directory ? 0x1u : 0x40u,
        };
        string display = name.Length == 0 ? "the share root" : name.TrimStart('\\');
        (Smb1Header header, byte[] response) = await SendAsync(create, cancellationToken).ConfigureAwait(false);
        if (header.Status != NtStatus.Success)
        {
            _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"could not open {display}: status 0x{header.Status:X8}"));
            return;
        }

        NtCreateAndXResponse file = NtCreateAndXResponse.Parse(response);
        _recorder.Operation($"opened {display}");
        if (read && file.EndOfFile > 0)
        {
            ushort count = (ushort)Math.Min(file.EndOfFile, MaxRead);
            (Smb1Header readHeader, byte[] readResponse) = await SendAsync(new ReadAndXRequest { Fid = file.Fid, MaxCount = count, MinCount = count }, cancellationToken).ConfigureAwait(false);
            if (readHeader.Status == NtStatus.Success)
            {
                ReadOnlyMemory<byte> data = ReadAndXResponse.Parse(readResponse).Data;
                _recorder.ReadData = data;
                _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"read {data.Length} of {file.EndOfFile} bytes from {display}"));
            }
            else
            {
                _recorder.Operation(string.Create(CultureInfo.InvariantCulture, $"READ_ANDX of {display} failed: status 0x{readHeader.Status:X8}"));
            }
        }

        await SendAsync(new CloseRequest { Fid = file.Fid }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(Smb1Header Header, byte[] Message)> SendAsync(ISmb1Request body, CancellationToken cancellationToken)
    {
        byte[] request = Build(body);
        Smb1SequenceNumbers sequence = default;
        if (_signingActive)
        {
            sequence = _sequence.NextRequest();
            _signer!.Sign(request, sequence.Request);
        }

        string name = CommandName(body.Command);
        Record(request, MessageDirection.Request, signed: _signingActive, verified: null, mustBeSigned: _authenticated);
        ReadOnlyMemory<byte> received = await ExchangeAsync(request, name, cancellationToken).ConfigureAwait(false);
        byte[] response = received.ToArray();
        Smb1Header header = CheckReply(response, body.Command, request);
        if (_signingActive)
        {
            VerifyAndRecord(response, header, sequence.Response!.Value, name);
        }
        else
        {
            Record(response, MessageDirection.Response, signed: false, verified: null, mustBeSigned: _authenticated);
        }

        return (header, response);
    }

    private void VerifyAndRecord(byte[] response, Smb1Header header, uint sequenceNumber, string name)
    {
        bool flagged = (header.Flags2 & Smb1Flags2.SmbSecuritySignature) != 0;
        bool verified = flagged && _signer!.Verify(response, sequenceNumber);
        string? note = verified ? null
            : flagged ? string.Create(CultureInfo.InvariantCulture, $"MD5 signature (sequence number {sequenceNumber}) does not match the message")
            : "response is not signed although signing is active";
        _recorder.Add(new MessageRecord(name, MessageDirection.Response, header.Mid, header.Status, flagged, verified, MustBeSigned: true, note));
        if (!verified)
        {
            throw new VerificationStoppedException();
        }
    }

    private byte[] Build(ISmb1Request body)
    {
        byte[] message = new byte[Smb1Header.Size + body.GetEncodedLength()];
        new Smb1Header((Smb1Command)body.Command, 0, RequestFlags, Flags2, 0, 0, _tid, ProcessId, _uid, _nextMid++).Write(message);
        body.WriteTo(message.AsSpan(Smb1Header.Size));
        return message;
    }

    private static Smb1Header CheckReply(byte[] response, byte command, byte[] request)
    {
        Smb1Header header = Smb1Header.Read(response);
        Smb1Header sent = Smb1Header.Read(request);
        if ((byte)header.Command != command || !header.IsReply || header.Mid != sent.Mid)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture,
                $"expected the {CommandName(command)} reply to MID {sent.Mid}, got command 0x{(byte)header.Command:X2} MID {header.Mid}"), 4);
        }

        return header;
    }

    private void Record(byte[] message, MessageDirection direction, bool signed, bool? verified, bool mustBeSigned, string? note = null)
    {
        Smb1Header header = Smb1Header.Read(message);
        _recorder.Add(new MessageRecord(CommandName((byte)header.Command), direction, header.Mid, direction == MessageDirection.Response ? header.Status : 0, signed, verified, mustBeSigned, note));
    }

    private async Task<ReadOnlyMemory<byte>> ExchangeAsync(byte[] request, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.ExchangeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (SmbTransportException e)
        {
            throw new SessionAbortException(e.Kind == TransportErrorKind.Timeout
                ? new SessionError(SessionErrorKind.Timeout, string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.Timeout.TotalMilliseconds:0} ms waiting for the response to {name}"))
                : new SessionError(SessionErrorKind.Connection, $"connection lost during {name}: {e.Message}"));
        }
    }

    /// <summary>[MS-CIFS] 2.2.2.1 command names as they appear in reports.</summary>
    public static string CommandName(byte command) => command switch
    {
        0x04 => "CLOSE",
        0x2E => "READ_ANDX",
        0x71 => "TREE_DISCONNECT",
        0x72 => "NEGOTIATE",
        0x73 => "SESSION_SETUP_ANDX",
        0x74 => "LOGOFF_ANDX",
        0x75 => "TREE_CONNECT_ANDX",
        0xA2 => "NT_CREATE_ANDX",
        _ => string.Create(CultureInfo.InvariantCulture, $"SMB1 0x{command:X2}"),
    };

    public void Dispose()
    {
        _signer?.Dispose();
        _ntlm.Dispose();
    }
}
