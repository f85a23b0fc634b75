using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Errors;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Close;
using CloseRequest = SmbSign.Protocol.Smb2.Close.CloseRequest;
using SmbSign.Protocol.Smb2.Create;
using SmbSign.Protocol.Smb2.Echo;
using SmbSign.Protocol.Smb2.Errors;
using SmbSign.Protocol.Smb2.Ioctl;
using SmbSign.Protocol.Smb2.Logoff;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.QueryDirectory;
using SmbSign.Protocol.Smb2.QueryInfo;
using SmbSign.Protocol.Smb2.Read;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Protocol.Smb2.TreeConnect;
using SmbSign.Protocol.Smb2.TreeDisconnect;
using SmbSign.Wire.Transport;

namespace SmbSign.Wire.Listen;

/// <summary>
/// The server side of one client connection ([MS-SMB2] 3.3.5): NEGOTIATE (also from an SMB1 multi-protocol NEGOTIATE),
/// SESSION_SETUP with NTLMSSP in SPNEGO, TREE_CONNECT, and read-only CREATE / READ / QUERY_INFO / QUERY_DIRECTORY / CLOSE
/// on <see cref="ProbeShare"/>, plus ECHO, IOCTL (VALIDATE_NEGOTIATE_INFO), TREE_DISCONNECT and LOGOFF; SMB1 (NT LM 0.12)
/// clients are served in ListenConnection.Smb1.cs. It records what the
/// client advertises and, in the test modes, answers the requests after TREE_CONNECT without a signature or with a wrong
/// one, then watches whether the client goes on. Never stores NTLM responses; the session key lives in the signer and
/// the NTLM context and is wiped on dispose.
/// </summary>
internal sealed partial class ListenConnection : IDisposable
{
    private const string HintName = "not_defined_in_RFC4178@please_ignore";
    private const int MaxRecordedCommands = 256;

    /// <summary>FILE_READ_DATA | FILE_READ_EA | FILE_EXECUTE | FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE.</summary>
    private const uint ReadOnlyAccess = 0x0012_00A9;

    /// <summary>Every access bit that would change something ([MS-SMB2] 2.2.13.1.1): write/append data, write EA and
    /// attributes, delete child, DELETE, WRITE_DAC, WRITE_OWNER, GENERIC_WRITE, GENERIC_ALL.</summary>
    private const uint WriteAccessBits = 0x0000_0002 | 0x0000_0004 | 0x0000_0010 | 0x0000_0040 | 0x0000_0100
        | 0x0001_0000 | 0x0004_0000 | 0x0008_0000 | 0x4000_0000 | 0x1000_0000;

    private readonly Socket _socket;
    private readonly SmbConnection _connection;
    private readonly ListenOptions _options;
    private readonly string? _password;
    private readonly TimeProvider _time;
    private readonly IPEndPoint _remote;
    private readonly int _number;
    private readonly DateTimeOffset _started;
    private readonly Guid _serverGuid = Guid.NewGuid();
    private readonly Dictionary<ulong, OpenFile> _open = [];
    private readonly List<Smb2Command> _commands = [];

    private Smb1NegotiateInfo? _smb1;
    private ClientNegotiateInfo? _negotiate;
    private byte[]? _negotiateRequest;
    private byte[]? _negotiateResponse;
    private Dialect? _dialect;
    private SigningAlgorithm? _algorithm;

    private ulong _sessionId;
    private Smb2KeySchedule? _schedule;
    private NtlmServerContext? _ntlm;
    private byte[]? _mechTypeList;
    private bool _ntlmWasFirstMech = true;
    private bool _clientSentMechListMic;
    private bool _rawNtlmssp;
    private Smb2MessageSigner? _signer;
    private bool _sessionSigningRequired;
    private Smb2SecurityMode? _sessionSetupSecurityMode;
    private ListenAuthentication _authentication;
    private bool _sessionEstablished;

    private uint _shareTreeId;
    private uint _ipcTreeId;
    private uint _nextTreeId = 1;
    private ulong _nextFileId = 1;

    private int _signedRequests;
    private int _badlySignedRequests;
    private int _unsignedRequests;
    private int _unsignedShareRequests;
    private int _signedResponses;
    private int _tamperedResponses;
    private string? _firstTamperedCommand;
    private string? _usedAfterTamper;
    private string? _usedGuestSession;
    private bool _readProbeFile;

    public ListenConnection(Socket socket, int number, ListenOptions options, string? password, TimeProvider time)
    {
        _socket = socket;
        _options = options;
        _password = password;
        _time = time;
        _number = number;
        _remote = (IPEndPoint)socket.RemoteEndPoint!;
        _started = time.GetUtcNow();
        _connection = new SmbConnection(new NetworkStream(socket, ownsSocket: false), time, options.MaxFrameSize)
        {
            ReadTimeout = options.IdleTimeout,
        };
    }

    /// <summary>Serves the client until it closes, goes idle, breaks the protocol, passes the deadline, or
    /// <paramref name="stop"/> fires; then reports. Never throws for anything the client does.</summary>
    public async Task<ListenClientReport> RunAsync(CancellationToken stop)
    {
        string end;
        using var deadline = new CancellationTokenSource(_options.ConnectionDeadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
        try
        {
            end = await ServeAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            end = stop.IsCancellationRequested ? "server stopping" : $"deadline ({_options.ConnectionDeadline.TotalSeconds:0} s)";
        }
        catch (SmbTransportException e) when (e.Kind == TransportErrorKind.ConnectionClosed)
        {
            end = "client closed";
        }
        catch (SmbTransportException e) when (e.Kind == TransportErrorKind.Timeout)
        {
            end = $"idle timeout ({_options.IdleTimeout.TotalSeconds:0} s)";
        }
        catch (SmbTransportException e)
        {
            end = $"transport: {e.Message}";
        }
        catch (SmbProtocolException e)
        {
            end = $"protocol error: {e.Message}";
        }
        catch (Exception e) when (IoErrors.IsNetworkProblem(e) || e is ObjectDisposedException)
        {
            end = "connection reset";
        }

        return BuildReport(end);
    }

    public void Dispose()
    {
        _connection.Dispose();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (IoErrors.IsNetworkProblem(e) || e is ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Dispose();
        _signer?.Dispose();
        _schedule?.Dispose();
        _ntlm?.Dispose();
        _smb1Signer?.Dispose();
    }

    private async Task<string> ServeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadOnlyMemory<byte> frame = await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            byte[]? reply;
            string? close;
            if (Smb1Header.HasSmb1ProtocolId(frame.Span))
            {
                (reply, close) = HandleSmb1(frame.Span);
            }
            else if (Smb2Header.HasSmb2ProtocolId(frame.Span))
            {
                (reply, close) = HandleSmb2Frame(frame.Span);
            }
            else if (frame.Length >= 4 && frame.Span[..4].SequenceEqual(Smb2Header.TransformProtocolId))
            {
                return "client encrypted a message (the listener never offers encryption)";
            }
            else
            {
                return "not an SMB message";
            }

            if (reply is { Length: > 0 })
            {
                await _connection.SendAsync(reply, cancellationToken).ConfigureAwait(false);
            }

            if (close is not null)
            {
                return close;
            }
        }
    }

    private (byte[]? Reply, string? Close) HandleSmb2Frame(ReadOnlySpan<byte> frame)
    {
        if (_dialect == Dialect.Smb1)
        {
            return (null, "SMB2 request on an SMB1 (NT LM 0.12) connection");
        }

        var replies = new List<Reply>();
        Smb2FileId? lastCreated = null;
        ulong lastSession = 0;
        uint lastTree = 0;
        string? close = null;
        foreach (Smb2CompoundMessage part in Smb2Compound.Enumerate(frame))
        {
            ReadOnlySpan<byte> message = frame[part.Range];
            Smb2Header header = Smb2Header.Read(message);
            if (header.IsResponse)
            {
                return (null, "client sent a response");
            }

            bool related = part.Index > 0 && (header.Flags & Smb2Flags.RelatedOperations) != 0;
            ulong sessionId = related ? lastSession : header.SessionId;
            uint treeId = related ? lastTree : header.TreeId;
            Reply? reply = Handle(message, header, sessionId, treeId, related ? lastCreated : null, ref close);
            if (reply is { } r)
            {
                replies.Add(r);
                lastSession = r.SessionId;
                lastTree = r.TreeId;
                if (r.CreatedFileId is { } created)
                {
                    lastCreated = created;
                }
            }

            if (close is not null)
            {
                break;
            }
        }

        return (replies.Count == 0 ? null : AssembleFrame(replies), close);
    }

    /// <summary>One request of a (possibly compound) frame. <paramref name="relatedFileId"/> replaces FFFF… in a related request.</summary>
    private Reply? Handle(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId, uint treeId, Smb2FileId? relatedFileId, ref string? close)
    {
        if (header.Command != Smb2Command.Negotiate && _commands.Count < MaxRecordedCommands)
        {
            _commands.Add(header.Command);
        }

        if (header.Command == Smb2Command.Negotiate)
        {
            return HandleNegotiate(message, header, ref close);
        }

        if (_dialect is null or Dialect.Smb2Wildcard)
        {
            close = "request before NEGOTIATE";
            return null;
        }

        if (header.Command == Smb2Command.SessionSetup)
        {
            return HandleSessionSetup(message, header);
        }

        if (header.Command == Smb2Command.Cancel)
        {
            return null;
        }

        if (!_sessionEstablished || sessionId != _sessionId)
        {
            return Error(header, NtStatus.UserSessionDeleted, sessionId, treeId);
        }

        NoteRequestSignature(message, header);
        NoteUseAfterTest(header.Command);
        switch (header.Command)
        {
            case Smb2Command.Logoff:
                return Logoff(header, sessionId);
            case Smb2Command.TreeConnect:
                return TreeConnect(message, header, sessionId);
            case Smb2Command.Echo:
                return Ok(header, sessionId, treeId, EchoResponse.EncodedLength, EchoResponse.WriteTo);
            default:
                break;
        }

        if (treeId == 0 || (treeId != _shareTreeId && treeId != _ipcTreeId))
        {
            return Error(header, ListenStatus.NetworkNameDeleted, sessionId, treeId);
        }

        bool onShare = treeId == _shareTreeId;
        return header.Command switch
        {
            Smb2Command.TreeDisconnect => TreeDisconnect(header, sessionId, treeId),
            Smb2Command.Ioctl => Ioctl(message, header, sessionId, treeId),
            Smb2Command.Create when onShare => Create(message, header, sessionId, treeId),
            Smb2Command.Create => Error(header, NtStatus.ObjectNameNotFound, sessionId, treeId),
            Smb2Command.Read => Read(message, header, sessionId, treeId, relatedFileId),
            Smb2Command.QueryInfo => QueryInfo(message, header, sessionId, treeId, relatedFileId),
            Smb2Command.QueryDirectory => QueryDirectory(message, header, sessionId, treeId, relatedFileId),
            Smb2Command.Close => Close(message, header, sessionId, treeId, relatedFileId),
            Smb2Command.Write or Smb2Command.SetInfo => Error(header, ListenStatus.MediaWriteProtected, sessionId, treeId),
            _ => Error(header, NtStatus.NotSupported, sessionId, treeId),
        };
    }

    private Reply? HandleNegotiate(ReadOnlySpan<byte> message, Smb2Header header, ref string? close)
    {
        if (_dialect is not null and not Dialect.Smb2Wildcard)
        {
            close = "second NEGOTIATE on one connection";
            return null;
        }

        Smb2NegotiateRequest request = Smb2NegotiateRequest.Parse(message);
        Smb2NegotiateContexts? contexts = request.Contexts;
        _negotiate = new ClientNegotiateInfo(
            request.Dialects, request.SecurityMode, request.Capabilities, request.ClientGuid,
            contexts?.SigningAlgorithms, contexts?.Ciphers, contexts?.Compression?.Algorithms, contexts?.RdmaTransforms,
            contexts?.NetName, contexts?.PreauthHashAlgorithms, contexts?.TransportFlags);
        Dialect? chosen = null;
        foreach (Dialect dialect in DialectInfo.Smb2Dialects)
        {
            if (request.Dialects.Contains(dialect))
            {
                chosen = dialect;
            }
        }

        if (chosen is null)
        {
            close = "no SMB2/3 dialect in common";
            return Error(header, NtStatus.NotSupported, 0, 0);
        }

        if (chosen == Dialect.Smb311 && contexts?.PreauthHashAlgorithms?.Contains(PreauthHashAlgorithm.Sha512) != true)
        {
            close = "3.1.1 NEGOTIATE without SHA-512 preauth integrity";
            return Error(header, NtStatus.InvalidParameter, 0, 0);
        }

        _dialect = chosen;
        SigningAlgorithm? offered = null;
        if (chosen == Dialect.Smb311 && contexts?.SigningAlgorithms is { } algorithms)
        {
            offered = algorithms.Cast<SigningAlgorithm?>().FirstOrDefault(a => a is SigningAlgorithm.AesGmac or SigningAlgorithm.AesCmac or SigningAlgorithm.HmacSha256);
        }

        _algorithm = chosen.Value.DefaultSigningAlgorithm(offered);
        byte[] response = BuildNegotiateMessage(header.MessageId, chosen.Value, contexts, offered);
        _negotiateRequest = message.ToArray();
        _negotiateResponse = response;
        return new Reply(response, header, 0, 0, ReplySigning.None, null);
    }

    /// <summary>An SMB2 NEGOTIATE response to an SMB1 multi-protocol NEGOTIATE ([MS-SMB2] 3.3.5.3.1).</summary>
    private byte[] BuildNegotiateResponse(ulong messageId, Dialect dialect, Smb2NegotiateContexts? contexts) =>
        BuildNegotiateMessage(messageId, dialect, contexts, null);

    /// <summary>[MS-SMB2] 3.3.5.4: signing enabled, never required (so the client's own requirement shows); no
    /// encryption, no multichannel; a SPNEGO NegTokenInit2 offering NTLMSSP only; at 3.1.1 SHA-512 preauth, "no common
    /// cipher" when ciphers were offered, and the chosen signing algorithm when signing algorithms were offered.</summary>
    private byte[] BuildNegotiateMessage(ulong messageId, Dialect dialect, Smb2NegotiateContexts? clientContexts, SigningAlgorithm? signing)
    {
        Smb2NegotiateContexts? contexts = null;
        if (dialect == Dialect.Smb311)
        {
            byte[] salt = new byte[32];
            RandomNumberGenerator.Fill(salt);
            contexts = new Smb2NegotiateContexts
            {
                PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
                PreauthSalt = salt,
                Ciphers = clientContexts?.Ciphers is not null ? [EncryptionCipher.None] : null,
                SigningAlgorithms = clientContexts?.SigningAlgorithms is not null && signing is { } s ? [s] : null,
            };
        }

        var response = new Smb2NegotiateResponse
        {
            SecurityMode = Smb2SecurityMode.SigningEnabled,
            DialectRevision = dialect,
            ServerGuid = _serverGuid,
            Capabilities = Smb2Capabilities.None,
            MaxTransactSize = 65536,
            MaxReadSize = 65536,
            MaxWriteSize = 65536,
            SystemTime = (ulong)_time.GetUtcNow().ToFileTime(),
            SecurityBuffer = new NegTokenInit { MechTypes = [SpnegoMechanisms.Ntlmssp], HintName = HintName }.Encode(),
            Contexts = contexts,
        };
        return response.ToArray(ResponseHeader(Smb2Command.Negotiate, messageId, NtStatus.Success, 0, 0, 1));
    }

    /// <summary>[MS-SMB2] 3.3.5.5: NTLMSSP in SPNEGO (or raw). NEGOTIATE → CHALLENGE (MORE_PROCESSING_REQUIRED);
    /// AUTHENTICATE → verified user session with keys, guest, anonymous, or LOGON_FAILURE.</summary>
    private Reply? HandleSessionSetup(ReadOnlySpan<byte> message, Smb2Header header)
    {
        Smb2SessionSetupRequest request = Smb2SessionSetupRequest.Parse(message);
        _sessionSetupSecurityMode ??= request.SecurityMode;
        if (header.SessionId == 0)
        {
            StartSession();
        }
        else if (header.SessionId != _sessionId || _schedule is null)
        {
            return Error(header, NtStatus.UserSessionDeleted, header.SessionId, 0);
        }
        else if (_sessionEstablished)
        {
            // Re-authentication of an established session is not served.
            return Error(header, NtStatus.NotSupported, _sessionId, 0);
        }

        _schedule!.OnSessionSetupRequest(message);
        _sessionSigningRequired |= (request.SecurityMode & Smb2SecurityMode.SigningRequired) != 0;

        (AuthStep step, byte[] buffer) = Authenticate(request.SecurityBuffer.Span);
        switch (step)
        {
            case AuthStep.Failed:
                return Error(header, NtStatus.LogonFailure, _sessionId, 0);
            case AuthStep.Continue:
                return SessionSetupReply(header, NtStatus.MoreProcessingRequired, Smb2SessionFlags.None, buffer, ReplySigning.None);
            default:
                break;
        }

        Smb2SessionFlags flags = _authentication switch
        {
            ListenAuthentication.Anonymous => Smb2SessionFlags.IsNull,
            ListenAuthentication.Guest => Smb2SessionFlags.IsGuest,
            _ => Smb2SessionFlags.None,
        };
        if (_authentication == ListenAuthentication.User)
        {
            _signer = _schedule.Complete(_ntlm!.SessionKey);
        }

        byte[] final = buffer;
        _sessionEstablished = true;

        // [MS-SMB2] 3.3.5.5.3: the final response of a user session is signed at 3.1.1, and whenever signing is required
        // or the request was signed.
        bool sign = _signer is not null && (_dialect == Dialect.Smb311 || _sessionSigningRequired || header.IsSigned);
        return SessionSetupReply(header, NtStatus.Success, flags, final, sign ? ReplySigning.Sign : ReplySigning.None);
    }

    /// <summary>One SESSION_SETUP security token, SMB2 or SMB1 alike: NTLMSSP in SPNEGO (or raw). NEGOTIATE → CHALLENGE
    /// (<see cref="AuthStep.Continue"/>); AUTHENTICATE → a verified user session with a session key, guest, anonymous
    /// (<see cref="AuthStep.Done"/>, with the final SPNEGO token), or <see cref="AuthStep.Failed"/>.</summary>
    private (AuthStep Step, byte[] Buffer) Authenticate(ReadOnlySpan<byte> token)
    {
        ReadOnlySpan<byte> ntlmToken;
        if (NtlmMessage.IsNtlmssp(token))
        {
            _rawNtlmssp = true;
            ntlmToken = token;
        }
        else if (token.Length > 0 && token[0] == 0x60)
        {
            NegTokenInit init = NegTokenInit.Decode(token);
            _mechTypeList = NegTokenInit.EncodeMechTypeList(init.MechTypes);
            if (!init.MechTypes.Contains(SpnegoMechanisms.Ntlmssp))
            {
                _authentication = ListenAuthentication.Failed;
                return (AuthStep.Failed, []);
            }

            _ntlmWasFirstMech = init.MechTypes[0] == SpnegoMechanisms.Ntlmssp;
            if (!_ntlmWasFirstMech || init.MechToken is not { } mechToken || !NtlmMessage.IsNtlmssp(mechToken.Span))
            {
                // NTLMSSP is offered but not first (or without its token): select it and ask for its first token ([RFC 4178] 4.2.2).
                _ntlmWasFirstMech = false;
                return (AuthStep.Continue, new NegTokenResp { NegState = SpnegoNegState.AcceptIncomplete, SupportedMech = SpnegoMechanisms.Ntlmssp }.Encode());
            }

            ntlmToken = mechToken.Span;
        }
        else if (token.Length > 0 && token[0] == 0xA1)
        {
            NegTokenResp resp = NegTokenResp.Decode(token);
            _clientSentMechListMic |= resp.MechListMic is not null;
            if (resp.ResponseToken is not { } responseToken || !NtlmMessage.IsNtlmssp(responseToken.Span))
            {
                _authentication = ListenAuthentication.Failed;
                return (AuthStep.Failed, []);
            }

            ntlmToken = responseToken.Span;
        }
        else
        {
            _authentication = ListenAuthentication.Failed;
            return (AuthStep.Failed, []);
        }

        NtlmMessageType type = NtlmMessage.GetMessageType(ntlmToken);
        if (type == NtlmMessageType.Negotiate)
        {
            _ntlm?.Dispose();
            _ntlm = new NtlmServerContext();
            byte[] challenge = _ntlm.CreateChallenge(ntlmToken, _options.ServerName, _options.DomainName, _time.GetUtcNow());
            byte[] buffer = _rawNtlmssp
                ? challenge
                : new NegTokenResp { NegState = SpnegoNegState.AcceptIncomplete, SupportedMech = _ntlmWasFirstMech ? SpnegoMechanisms.Ntlmssp : null, ResponseToken = challenge }.Encode();
            return (AuthStep.Continue, buffer);
        }

        if (type != NtlmMessageType.Authenticate || _ntlm is null)
        {
            _authentication = ListenAuthentication.Failed;
            return (AuthStep.Failed, []);
        }

        NtlmAuthenticateMessage authenticate = _ntlm.ReadAuthenticate(ntlmToken);
        if (_ntlm.IsAnonymous)
        {
            _authentication = ListenAuthentication.Anonymous;
        }
        else if (_options.User is null || _password is null)
        {
            _authentication = ListenAuthentication.Guest;
        }
        else if (!UserMatches(authenticate.UserName) || !_ntlm.Verify(ntlmToken, _password))
        {
            _authentication = ListenAuthentication.Failed;
            return (AuthStep.Failed, []);
        }
        else
        {
            _authentication = ListenAuthentication.User;
        }

        byte[] final = _rawNtlmssp
            ? []
            : new NegTokenResp
            {
                NegState = SpnegoNegState.AcceptCompleted,
                MechListMic = _authentication == ListenAuthentication.User && _mechTypeList is not null && (_clientSentMechListMic || !_ntlmWasFirstMech)
                    ? _ntlm.ComputeServerMechListMic(_mechTypeList)
                    : null,
            }.Encode();
        return (AuthStep.Done, final);
    }

    private void StartSession()
    {
        _signer?.Dispose();
        _signer = null;
        _schedule?.Dispose();
        _ntlm?.Dispose();
        _ntlm = null;
        _sessionEstablished = false;
        _sessionSigningRequired = false;
        _clientSentMechListMic = false;
        _ntlmWasFirstMech = true;
        Span<byte> id = stackalloc byte[8];
        do
        {
            RandomNumberGenerator.Fill(id);
            _sessionId = BinaryPrimitives.ReadUInt64LittleEndian(id) & 0x0000_FFFF_FFFF_FFFF;
        }
        while (_sessionId == 0);

        _schedule = Smb2KeySchedule.AfterNegotiate(_dialect!.Value, _algorithm!.Value, _negotiateRequest ?? [], _negotiateResponse ?? []);
    }

    private bool UserMatches(string? user)
    {
        string configured = _options.User!;
        int slash = configured.IndexOf('\\', StringComparison.Ordinal);
        if (slash >= 0)
        {
            configured = configured[(slash + 1)..];
        }

        return string.Equals(user, configured, StringComparison.OrdinalIgnoreCase);
    }

    private Reply SessionSetupReply(Smb2Header request, uint status, Smb2SessionFlags flags, byte[] securityBuffer, ReplySigning signing)
    {
        var response = new Smb2SessionSetupResponse { Status = status, SessionId = _sessionId, SessionFlags = flags, SecurityBuffer = securityBuffer };
        byte[] message = response.ToArray(request.MessageId);
        Smb2Header header = ResponseHeader(Smb2Command.SessionSetup, request.MessageId, status, _sessionId, 0, Credits(request));
        header.Write(message);
        if (status == NtStatus.MoreProcessingRequired)
        {
            _schedule?.OnSessionSetupResponse(message);
        }

        return new Reply(message, request, _sessionId, 0, signing, null);
    }

    private Reply Logoff(Smb2Header header, ulong sessionId)
    {
        Reply reply = Ok(header, sessionId, 0, LogoffResponse.EncodedLength, LogoffResponse.WriteTo);
        _sessionEstablished = false;
        _open.Clear();
        return reply;
    }

    private Reply TreeConnect(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId)
    {
        TreeConnectRequest request = TreeConnectRequest.Parse(message);
        string path = request.Path;
        int last = path.LastIndexOf('\\');
        string share = last >= 0 ? path[(last + 1)..] : path;
        ShareType type;
        uint treeId;
        if (string.Equals(share, _options.Share, StringComparison.OrdinalIgnoreCase))
        {
            _shareTreeId = _nextTreeId++;
            treeId = _shareTreeId;
            type = ShareType.Disk;
        }
        else if (string.Equals(share, "IPC$", StringComparison.OrdinalIgnoreCase))
        {
            _ipcTreeId = _nextTreeId++;
            treeId = _ipcTreeId;
            type = ShareType.Pipe;
        }
        else
        {
            return Error(header, NtStatus.BadNetworkName, sessionId, 0);
        }

        var response = new TreeConnectResponse { ShareType = type, MaximalAccess = ReadOnlyAccess };
        byte[] reply = NewResponse(header, NtStatus.Success, TreeConnectResponse.EncodedLength, sessionId, treeId);
        response.WriteTo(reply.AsSpan(Smb2Header.Size));
        return new Reply(reply, header, sessionId, treeId, DecideSigning(header, tamperable: false), null);
    }

    private Reply TreeDisconnect(Smb2Header header, ulong sessionId, uint treeId)
    {
        Reply reply = Ok(header, sessionId, treeId, TreeDisconnectResponse.EncodedLength, TreeDisconnectResponse.WriteTo);
        if (treeId == _shareTreeId)
        {
            _shareTreeId = 0;
        }
        else
        {
            _ipcTreeId = 0;
        }

        return reply;
    }

    /// <summary>FSCTL_VALIDATE_NEGOTIATE_INFO is answered (signed: [MS-SMB2] 3.3.5.15.12); every other IOCTL is not
    /// supported, DFS referrals get NOT_FOUND (this is not a DFS namespace).</summary>
    private Reply Ioctl(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId, uint treeId)
    {
        IoctlRequest request = IoctlRequest.Parse(message);
        if (request.CtlCode == IoctlRequest.FsctlValidateNegotiateInfo && _dialect is { } dialect)
        {
            byte[] output = new ValidateNegotiateInfoResponse(0, _serverGuid, Smb2SecurityMode.SigningEnabled, dialect).ToArray();
            var response = new IoctlResponse { CtlCode = request.CtlCode, FileId = request.FileId, Output = output };
            byte[] reply = NewResponse(header, NtStatus.Success, response.GetEncodedLength(), sessionId, treeId);
            response.WriteTo(reply.AsSpan(Smb2Header.Size));
            return new Reply(reply, header, sessionId, treeId, _signer is null ? ReplySigning.None : ReplySigning.Sign, null);
        }

        return Error(header, request.CtlCode == ListenStatus.FsctlDfsGetReferrals ? ListenStatus.NotFound : ListenStatus.InvalidDeviceRequest, sessionId, treeId);
    }

    private Reply Create(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId, uint treeId)
    {
        CreateRequest request = CreateRequest.Parse(message);
        if (((uint)request.DesiredAccess & WriteAccessBits) != 0
            || request.CreateDisposition is not (CreateDisposition.Open or CreateDisposition.OpenIf)
            || (request.CreateOptions & CreateOptions.DeleteOnClose) != 0)
        {
            return Error(header, NtStatus.AccessDenied, sessionId, treeId, tamperable: true);
        }

        if (ProbeShare.Resolve(request.Name) is not { } file)
        {
            return Error(header, NtStatus.ObjectNameNotFound, sessionId, treeId, tamperable: true);
        }

        if ((request.CreateOptions & CreateOptions.DirectoryFile) != 0 && !file.IsDirectory)
        {
            return Error(header, ListenStatus.NotADirectory, sessionId, treeId, tamperable: true);
        }

        if ((request.CreateOptions & CreateOptions.NonDirectoryFile) != 0 && file.IsDirectory)
        {
            return Error(header, ListenStatus.FileIsADirectory, sessionId, treeId, tamperable: true);
        }

        if (_open.Count >= _options.MaxOpenFiles)
        {
            return Error(header, ListenStatus.TooManyOpenedFiles, sessionId, treeId, tamperable: true);
        }

        var fileId = new Smb2FileId(_nextFileId, _nextFileId++);
        _open[fileId.Volatile] = new OpenFile(file);
        var response = new CreateResponse
        {
            CreateAction = 1,
            CreationTime = file.CreationTime,
            LastAccessTime = file.LastAccessTime,
            LastWriteTime = file.LastWriteTime,
            ChangeTime = file.ChangeTime,
            AllocationSize = file.AllocationSize,
            EndOfFile = file.EndOfFile,
            FileAttributes = file.FileAttributes,
            FileId = fileId,
        };
        byte[] reply = NewResponse(header, NtStatus.Success, response.GetEncodedLength(), sessionId, treeId);
        response.WriteTo(reply.AsSpan(Smb2Header.Size));
        return new Reply(reply, header, sessionId, treeId, DecideSigning(header, tamperable: true), fileId);
    }

    private Reply Read(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId, uint treeId, Smb2FileId? related)
    {
        ReadRequest request = ReadRequest.Parse(message);
        if (Lookup(request.FileId, related) is not { } open)
        {
            return Error(header, ListenStatus.FileClosed, sessionId, treeId, tamperable: true);
        }

        if (open.File.IsDirectory)
        {
            return Error(header, ListenStatus.InvalidDeviceRequest, sessionId, treeId, tamperable: true);
        }

        ReadOnlyMemory<byte> content = ProbeShare.Content;
        if (request.Offset >= (ulong)content.Length)
        {
            _readProbeFile = true;
            return Error(header, ListenStatus.EndOfFile, sessionId, treeId, tamperable: true);
        }

        int offset = (int)request.Offset;
        int length = (int)Math.Min(request.Length, (uint)(content.Length - offset));
        if (offset + length == content.Length)
        {
            _readProbeFile = true;
        }

        var response = new ReadResponse { Data = content.Slice(offset, length) };
        byte[] reply = NewResponse(header, NtStatus.Success, response.GetEncodedLength(), sessionId, treeId);
        response.WriteTo(reply.AsSpan(Smb2Header.Size));
        return new Reply(reply, header, sessionId, treeId, DecideSigning(header, tamperable: true), null);
    }

    private Reply QueryInfo(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId, uint treeId, Smb2FileId? related)
    {
        QueryInfoRequest request = QueryInfoRequest.Parse(message);
        if (Lookup(request.FileId, related) is not { } open)
        {
            return Error(header, ListenStatus.FileClosed, sessionId, treeId, tamperable: true);
        }

        byte[] buffer;
        bool known = request.InfoType switch
        {
            QueryInfoType.File => FileInformation.TryEncodeFile(request.FileInfoClass, open.File, ReadOnlyAccess, out buffer),
            QueryInfoType.FileSystem => FileInformation.TryEncodeFileSystem(request.FileInfoClass, "PROBE", ProbeShare.FileTime, out buffer),
            QueryInfoType.Security => ReturnSecurityDescriptor(out buffer),
            _ => ReturnNothing(out buffer),
        };
        if (!known)
        {
            return Error(header, ListenStatus.InvalidInfoClass, sessionId, treeId, tamperable: true);
        }

        if (buffer.Length > request.OutputBufferLength)
        {
            return Error(header, request.InfoType == QueryInfoType.Security ? ListenStatus.BufferTooSmall : ListenStatus.InfoLengthMismatch, sessionId, treeId, tamperable: true);
        }

        var response = new QueryInfoResponse { OutputBuffer = buffer };
        byte[] reply = NewResponse(header, NtStatus.Success, response.GetEncodedLength(), sessionId, treeId);
        response.WriteTo(reply.AsSpan(Smb2Header.Size));
        return new Reply(reply, header, sessionId, treeId, DecideSigning(header, tamperable: true), null);
    }

    private Reply QueryDirectory(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId, uint treeId, Smb2FileId? related)
    {
        QueryDirectoryRequest request = QueryDirectoryRequest.Parse(message);
        if (Lookup(request.FileId, related) is not { } open)
        {
            return Error(header, ListenStatus.FileClosed, sessionId, treeId, tamperable: true);
        }

        if (!open.File.IsDirectory)
        {
            return Error(header, ListenStatus.NotADirectory, sessionId, treeId, tamperable: true);
        }

        if (request.FileInformationClass is not (FileInformationClass.FileDirectoryInformation or FileInformationClass.FileIdBothDirectoryInformation))
        {
            return Error(header, ListenStatus.InvalidInfoClass, sessionId, treeId, tamperable: true);
        }

        if ((request.Flags & (QueryDirectoryFlags.RestartScans | QueryDirectoryFlags.Reopen)) != 0)
        {
            open.NextEntry = 0;
        }

        FileMetadata[] all = [ProbeShare.Root with { Name = "." }, ProbeShare.Root with { Name = ".." }, ProbeShare.File];
        var entries = new List<DirectoryEntry>();
        for (; open.NextEntry < all.Length; open.NextEntry++)
        {
            FileMetadata file = all[open.NextEntry];
            if (request.Pattern is not ("*" or "" or "*.*") && !string.Equals(request.Pattern, file.Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            entries.Add(new DirectoryEntry(file.Name, 0, file.CreationTime, file.LastAccessTime, file.LastWriteTime, file.ChangeTime,
                file.EndOfFile, file.AllocationSize, file.FileAttributes, file.FileId, string.Empty));
            if ((request.Flags & QueryDirectoryFlags.ReturnSingleEntry) != 0)
            {
                open.NextEntry++;
                break;
            }
        }

        if (entries.Count == 0)
        {
            uint status = open.Listed || request.Pattern is "*" or "" or "*.*" ? NtStatus.NoMoreFiles : ListenStatus.NoSuchFile;
            return Error(header, status, sessionId, treeId, tamperable: true);
        }

        open.Listed = true;
        byte[] buffer = DirectoryEntry.EncodeList(entries, request.FileInformationClass);
        if (buffer.Length > request.OutputBufferLength)
        {
            return Error(header, ListenStatus.BufferOverflow, sessionId, treeId, tamperable: true);
        }

        var response = new QueryDirectoryResponse { OutputBuffer = buffer };
        byte[] reply = NewResponse(header, NtStatus.Success, response.GetEncodedLength(), sessionId, treeId);
        response.WriteTo(reply.AsSpan(Smb2Header.Size));
        return new Reply(reply, header, sessionId, treeId, DecideSigning(header, tamperable: true), null);
    }

    private Reply Close(ReadOnlySpan<byte> message, Smb2Header header, ulong sessionId, uint treeId, Smb2FileId? related)
    {
        CloseRequest request = CloseRequest.Parse(message);
        Smb2FileId id = request.FileId == Smb2FileId.None && related is { } r ? r : request.FileId;
        if (!_open.Remove(id.Volatile, out OpenFile? open))
        {
            return Error(header, ListenStatus.FileClosed, sessionId, treeId, tamperable: true);
        }

        FileMetadata file = open.File;
        CloseResponse response = (request.Flags & CloseRequest.PostQueryAttributes) != 0
            ? new CloseResponse
            {
                Flags = CloseRequest.PostQueryAttributes,
                CreationTime = file.CreationTime,
                LastAccessTime = file.LastAccessTime,
                LastWriteTime = file.LastWriteTime,
                ChangeTime = file.ChangeTime,
                AllocationSize = file.AllocationSize,
                EndOfFile = file.EndOfFile,
                FileAttributes = file.FileAttributes,
            }
            : new CloseResponse();
        byte[] reply = NewResponse(header, NtStatus.Success, CloseResponse.EncodedLength, sessionId, treeId);
        response.WriteTo(reply.AsSpan(Smb2Header.Size));
        return new Reply(reply, header, sessionId, treeId, DecideSigning(header, tamperable: true), null);
    }

    private OpenFile? Lookup(Smb2FileId fileId, Smb2FileId? related)
    {
        Smb2FileId id = fileId == Smb2FileId.None && related is { } r ? r : fileId;
        return _open.TryGetValue(id.Volatile, out OpenFile? open) && id.Persistent == id.Volatile ? open : null;
    }

    /// <summary>A self-relative security descriptor granting Everyone read access ([MS-DTYP] 2.4.6): DACL with one
    /// ACCESS_ALLOWED ACE for S-1-1-0.</summary>
    private static bool ReturnSecurityDescriptor(out byte[] buffer)
    {
        buffer =
        [
            0x01, 0x00, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0,
            0x02, 0x00, 0x1C, 0x00, 0x01, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x14, 0x00, 0xA9, 0x00, 0x12, 0x00, 0x01, 0x01, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0,
        ];
        return true;
    }

    private static bool ReturnNothing(out byte[] buffer)
    {
        buffer = [];
        return false;
    }

    /// <summary>Counts whether a request after authentication was signed and whether its signature verified.</summary>
    private void NoteRequestSignature(ReadOnlySpan<byte> message, Smb2Header header)
    {
        if (!header.IsSigned)
        {
            _unsignedRequests++;
            if (header.TreeId != 0 && header.TreeId == _shareTreeId)
            {
                _unsignedShareRequests++;
            }
        }
        else if (_signer is not null && _signer.Verify(message, Smb2SenderRole.Client))
        {
            _signedRequests++;
        }
        else
        {
            _badlySignedRequests++;
        }
    }

    /// <summary>Remembers the first request that shows the client went on after a tampered answer or a guest session.
    /// LOGOFF and TREE_DISCONNECT are the ways out, not use.</summary>
    private void NoteUseAfterTest(Smb2Command command)
    {
        if (command is Smb2Command.Logoff or Smb2Command.TreeDisconnect or Smb2Command.Cancel)
        {
            return;
        }

        if (_tamperedResponses > 0)
        {
            _usedAfterTamper ??= Smb2CommandNames.Get(command);
        }

        if (_authentication is ListenAuthentication.Guest or ListenAuthentication.Anonymous)
        {
            _usedGuestSession ??= Smb2CommandNames.Get(command);
        }
    }

    /// <summary>[MS-SMB2] 3.3.4.1.1: sign when the session requires it or the request was signed. In a test mode, responses
    /// on the probe share after TREE_CONNECT are sent unsigned or with a wrong signature instead.</summary>
    private ReplySigning DecideSigning(Smb2Header request, bool tamperable)
    {
        if (_signer is null)
        {
            return ReplySigning.None;
        }

        if (tamperable && request.TreeId == _shareTreeId && _options.Mode != ListenTestMode.Observe)
        {
            return _options.Mode == ListenTestMode.Unsigned ? ReplySigning.Unsigned : ReplySigning.BadSignature;
        }

        return _sessionSigningRequired || request.IsSigned ? ReplySigning.Sign : ReplySigning.None;
    }

    private Reply Ok(Smb2Header header, ulong sessionId, uint treeId, int bodyLength, BodyWriter write)
    {
        byte[] reply = NewResponse(header, NtStatus.Success, bodyLength, sessionId, treeId);
        write(reply.AsSpan(Smb2Header.Size));
        return new Reply(reply, header, sessionId, treeId, DecideSigning(header, tamperable: false), null);
    }

    private Reply Error(Smb2Header header, uint status, ulong sessionId, uint treeId, bool tamperable = false)
    {
        byte[] reply = NewResponse(header, status, ErrorResponse.EmptyEncodedLength, sessionId, treeId);
        ErrorResponse.WriteEmpty(reply.AsSpan(Smb2Header.Size));
        ReplySigning signing = _sessionEstablished && sessionId == _sessionId ? DecideSigning(header, tamperable) : ReplySigning.None;
        return new Reply(reply, header, sessionId, treeId, signing, null);
    }

    private static byte[] NewResponse(Smb2Header request, uint status, int bodyLength, ulong sessionId, uint treeId)
    {
        byte[] reply = new byte[Smb2Header.Size + bodyLength];
        ResponseHeader(request.Command, request.MessageId, status, sessionId, treeId, Credits(request)).Write(reply);
        return reply;
    }

    private static Smb2Header ResponseHeader(Smb2Command command, ulong messageId, uint status, ulong sessionId, uint treeId, ushort credits) =>
        new(CreditCharge: 0, Status: status, Command: command, Credits: credits, Flags: Smb2Flags.ServerToRedir, NextCommand: 0,
            MessageId: messageId, AsyncId: 0, TreeId: treeId, SessionId: sessionId);

    /// <summary>Grants what the client asked for, at least 1 and at most 64 ([MS-SMB2] 3.3.1.2).</summary>
    private static ushort Credits(Smb2Header request) => (ushort)Math.Clamp((int)request.Credits, 1, 64);

    /// <summary>Chains the replies of one frame ([MS-SMB2] 3.3.4.1.3: each 8-byte aligned with NextCommand set), then signs,
    /// leaves unsigned or corrupts each one as decided (the connection adds the transport prefix).</summary>
    private byte[] AssembleFrame(List<Reply> replies)
    {
        int total = 0;
        for (int i = 0; i < replies.Count; i++)
        {
            int length = replies[i].Message.Length;
            total += i == replies.Count - 1 ? length : (length + 7) & ~7;
        }

        byte[] frame = new byte[total];
        int position = 0;
        for (int i = 0; i < replies.Count; i++)
        {
            Reply reply = replies[i];
            int length = reply.Message.Length;
            int padded = i == replies.Count - 1 ? length : (length + 7) & ~7;
            reply.Message.CopyTo(frame, position);
            Span<byte> message = frame.AsSpan(position, padded);
            if (i < replies.Count - 1)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(message[Smb2Header.NextCommandOffset..], (uint)padded);
                uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[Smb2Header.FlagsOffset..]);
                if (i > 0 && reply.Request.Flags.HasFlag(Smb2Flags.RelatedOperations))
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(message[Smb2Header.FlagsOffset..], flags | (uint)Smb2Flags.RelatedOperations);
                }
            }
            else if (i > 0 && reply.Request.Flags.HasFlag(Smb2Flags.RelatedOperations))
            {
                uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[Smb2Header.FlagsOffset..]);
                BinaryPrimitives.WriteUInt32LittleEndian(message[Smb2Header.FlagsOffset..], flags | (uint)Smb2Flags.RelatedOperations);
            }

            ApplySigning(message, reply);
            position += padded;
        }

        return frame;
    }

    private void ApplySigning(Span<byte> message, Reply reply)
    {
        switch (reply.Signing)
        {
            case ReplySigning.Sign:
                _signer!.Sign(message, Smb2SenderRole.Server);
                _signedResponses++;
                break;
            case ReplySigning.Unsigned:
                _tamperedResponses++;
                _firstTamperedCommand ??= Smb2CommandNames.Get(reply.Request.Command);
                break;
            case ReplySigning.BadSignature:
                _signer!.Sign(message, Smb2SenderRole.Server);
                message[Smb2Header.SignatureOffset] ^= 0x5A;
                message[Smb2Header.SignatureOffset + 15] ^= 0xA5;
                _tamperedResponses++;
                _firstTamperedCommand ??= Smb2CommandNames.Get(reply.Request.Command);
                break;
            default:
                break;
        }
    }

    private ListenClientReport BuildReport(string end)
    {
        // SMB2: the SecurityMode of NEGOTIATE and SESSION_SETUP states it. SMB1: see Smb1RequiresSigning.
        bool? requires = null;
        if (_negotiate is not null || _sessionSetupSecurityMode is not null)
        {
            Smb2SecurityMode mode = (_negotiate?.SecurityMode ?? Smb2SecurityMode.None) | (_sessionSetupSecurityMode ?? Smb2SecurityMode.None);
            requires = (mode & Smb2SecurityMode.SigningRequired) != 0 || _smb1?.SigningRequired == true;
        }
        else if (_smb1 is not null)
        {
            requires = Smb1RequiresSigning();
        }

        (ClientEnforcementVerdict verdict, string reason) = Judge();
        NtlmNegotiateMessage? negotiate = _ntlm?.Negotiate;
        NtlmAuthenticateMessage? authenticate = _ntlm?.Authenticate;
        ClientNtlmInfo? ntlm = negotiate is null && authenticate is null
            ? null
            : new ClientNtlmInfo(
                negotiate?.Flags ?? authenticate!.Flags,
                negotiate is { } neg && (neg.Flags & NtlmNegotiateFlags.Version) != 0 ? neg.Version : authenticate?.Version,
                authenticate?.UserName,
                authenticate?.DomainName,
                authenticate?.Workstation);
        return new ListenClientReport
        {
            Connection = _number,
            Remote = _remote,
            Started = _started,
            Duration = _time.GetUtcNow() - _started,
            Mode = _options.Mode,
            Smb1 = _smb1 is null ? null : _smb1 with { SessionSetupFlags2 = _smb1SessionSetupFlags2, SessionSetupCapabilities = _smb1ClientCapabilities },
            Negotiate = _negotiate,
            SessionSetupSecurityMode = _sessionSetupSecurityMode,
            Dialect = _dialect is Dialect.Smb2Wildcard ? null : _dialect,
            SigningAlgorithm = _dialect is null or Dialect.Smb2Wildcard ? null : _algorithm,
            Ntlm = ntlm,
            Authentication = _authentication,
            RequiresSigning = requires,
            Enforcement = verdict,
            EnforcementReason = reason,
            SignedRequests = _signedRequests,
            BadlySignedRequests = _badlySignedRequests,
            UnsignedRequests = _unsignedRequests,
            SignedResponses = _signedResponses,
            TamperedResponses = _tamperedResponses,
            Commands = _commands.ToArray(),
            Smb1Commands = _smb1Commands.ToArray(),
            ReadProbeFile = _readProbeFile,
            End = end,
        };
    }

    /// <summary>The enforcement verdict, true in the dangerous direction: "enforced" only when the client was given
    /// something a signing-enforcing client must refuse and it stopped instead of using it.</summary>
    private (ClientEnforcementVerdict, string) Judge()
    {
        if (_authentication is ListenAuthentication.Guest or ListenAuthentication.Anonymous)
        {
            string kind = _authentication == ListenAuthentication.Guest ? "guest" : "anonymous";
            return _usedGuestSession is { } used
                ? (ClientEnforcementVerdict.NotEnforced, $"went on with a {kind} session, which cannot be signed (sent {used})")
                : (ClientEnforcementVerdict.Enforced, $"dropped the {kind} session without using it (a client that requires signing must refuse a session that cannot be signed)");
        }

        if (_dialect is null && _smb1 is not null)
        {
            return (ClientEnforcementVerdict.Untested, _smb1Refusal ?? "only the SMB1 NEGOTIATE was observed");
        }

        if (_authentication != ListenAuthentication.User)
        {
            return (ClientEnforcementVerdict.Untested, _authentication == ListenAuthentication.Failed
                ? "authentication failed (wrong user or password, or no NTLM): nothing after it was tested"
                : "the client stopped before authenticating");
        }

        if (_options.Mode == ListenTestMode.Observe)
        {
            return (ClientEnforcementVerdict.Untested, "observe mode answers correctly; run --test unsigned or --test bad-signature to test enforcement");
        }

        string what = _options.Mode == ListenTestMode.Unsigned ? "an unsigned" : "a badly signed";
        if (_tamperedResponses == 0)
        {
            return (ClientEnforcementVerdict.Untested, $"the client stopped before it was sent {what} answer (no request on the share after TREE_CONNECT)");
        }

        string first = _firstTamperedCommand ?? "share";
        if (_usedAfterTamper is { } next)
        {
            return (ClientEnforcementVerdict.NotEnforced, $"used {what} {first} response (then sent {next})");
        }

        // [MS-SMB2] 3.2.5.1.3: a client verifies every signed response, whether or not it requires signing. Refusing a
        // bad signature therefore proves enforcement only on a session the client itself signs; a client that sent its
        // share requests unsigned would take an unsigned answer, which only --test unsigned shows.
        if (_options.Mode == ListenTestMode.BadSignature && _unsignedShareRequests > 0)
        {
            return (ClientEnforcementVerdict.Untested, $"refused a badly signed {first} response (it checks signatures it is given), but it sent its own requests unsigned; run --test unsigned to see whether it accepts unsigned answers");
        }

        return (ClientEnforcementVerdict.Enforced, _options.Mode == ListenTestMode.Unsigned
            ? $"dropped the connection after an unsigned {first} response"
            : $"dropped the connection after a badly signed {first} response (also run --test unsigned: a client that enforces signing refuses both)");
    }

    private delegate int BodyWriter(Span<byte> body);

    private enum AuthStep
    {
        Failed,
        Continue,
        Done,
    }

    private enum ReplySigning
    {
        None,
        Sign,
        Unsigned,
        BadSignature,
    }

    private sealed record Reply(byte[] Message, Smb2Header Request, ulong SessionId, uint TreeId, ReplySigning Signing, Smb2FileId? CreatedFileId);

    private sealed class OpenFile(FileMetadata file)
    {
        public FileMetadata File { get; } = file;

        public int NextEntry { get; set; }

        public bool Listed { get; set; }
    }
}

/// <summary>NTSTATUS values the listener answers with ([MS-ERREF] 2.3) beyond the shared <see cref="NtStatus"/> set.</summary>
internal static class ListenStatus
{
    public const uint BufferOverflow = 0x8000_0005;
    public const uint InvalidInfoClass = 0xC000_0003;
    public const uint InfoLengthMismatch = 0xC000_0004;
    public const uint InvalidDeviceRequest = 0xC000_0010;
    public const uint EndOfFile = 0xC000_0011;
    public const uint NoSuchFile = 0xC000_000F;
    public const uint BufferTooSmall = 0xC000_0023;
    public const uint MediaWriteProtected = 0xC000_00A2;
    public const uint FileIsADirectory = 0xC000_00BA;
    public const uint NetworkNameDeleted = 0xC000_00C9;
    public const uint NotADirectory = 0xC000_0103;
    public const uint TooManyOpenedFiles = 0xC000_011F;
    public const uint FileClosed = 0xC000_0128;
    public const uint NotFound = 0xC000_0225;

    /// <summary>STATUS_INVALID_HANDLE: an SMB1 FID that is not open.</summary>
    public const uint Smb1BadFid = 0xC000_0008;

    /// <summary>STATUS_SMB_BAD_UID / STATUS_SMB_BAD_TID ([MS-CIFS] 2.2.2.4: ERRSRV/ERRbaduid, ERRSRV/ERRinvnid as NTSTATUS).</summary>
    public const uint Smb1BadUid = 0x005B_0002;

    public const uint Smb1BadTid = 0x0005_0002;

    /// <summary>FSCTL_DFS_GET_REFERRALS ([MS-SMB2] 2.2.31).</summary>
    public const uint FsctlDfsGetReferrals = 0x0006_0194;
}
