using System.Buffers.Binary;
using System.Security.Cryptography;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.QueryInfo;
using Smb1CloseRequest = SmbSign.Protocol.Smb1.CloseRequest;

namespace SmbSign.Wire.Listen;

/// <summary>
/// The SMB1 (NT LM 0.12) side of a connection, sized to what the test modes need ([MS-CIFS], [MS-SMB]): NEGOTIATE with
/// extended security (SPNEGO/NTLMSSP), SESSION_SETUP_ANDX, TREE_CONNECT_ANDX to the probe share and IPC$, read-only
/// NT_CREATE_ANDX / READ_ANDX / QUERY_INFORMATION2 / CLOSE, TREE_DISCONNECT and LOGOFF_ANDX; everything else is answered
/// STATUS_NOT_SUPPORTED (writes: STATUS_MEDIA_WRITE_PROTECTED). AndX chains are checked and refused, not followed.
/// MD5 signing ([MS-CIFS] 3.1.4.1) with the NTLMSSP session key as MAC key (extended security only: no NTLMv1/LM
/// challenge-response, whose MAC key would append the NT response).
/// </summary>
internal sealed partial class ListenConnection
{
    private const Smb1Flags2 ServerFlags2 = Smb1Flags2.LongNames | Smb1Flags2.IsLongName | Smb1Flags2.ExtendedSecurity
        | Smb1Flags2.NtStatus | Smb1Flags2.Unicode;

    /// <summary>Unicode, large files, NT SMBs, NT status codes, large READ_ANDX, extended security. No CAP_RPC_REMOTE_APIS,
    /// CAP_DFS, CAP_NT_FIND or CAP_UNIX: nothing the probe share does not need ([MS-SMB] 2.2.4.5.2.1).</summary>
    private const Smb1Capabilities ServerCapabilities = Smb1Capabilities.Unicode | Smb1Capabilities.LargeFiles | Smb1Capabilities.NtSmbs
        | Smb1Capabilities.NtStatus | Smb1Capabilities.LargeReadX | Smb1Capabilities.ExtendedSecurity;

    /// <summary>Samba's and Windows' usual MaxBufferSize; requests never need more.</summary>
    private const int Smb1MaxBufferSize = 16644;

    /// <summary>SMB_FILE_ATTRIBUTES keeps the low 16 bits of the extended attributes ([MS-CIFS] 2.2.1.2.4).</summary>
    private const uint Smb1AttributeMask = 0xFFFF;

    private readonly List<Smb1Command> _smb1Commands = [];
    private string? _smb1Refusal;
    private Smb1Flags2? _smb1SessionSetupFlags2;
    private Smb1Capabilities? _smb1ClientCapabilities;
    private ushort _smb1Uid;
    private Smb1MessageSigner? _smb1Signer;
    private Smb1SigningSequence? _smb1Sequence;
    private bool _smb1SigningActive;

    /// <summary>A request's sequence numbers once a user session has a MAC key (null before).</summary>
    private Smb1SequenceNumbers? _smb1Current;

    /// <summary>[MS-SMB2] 3.3.5.3 / [MS-CIFS] 3.3.5.2: an SMB1 message. A multi-protocol NEGOTIATE with an SMB2 dialect
    /// string gets an SMB2 NEGOTIATE response; an NT LM 0.12-only NEGOTIATE with extended security starts an SMB1 session.</summary>
    private (byte[]? Reply, string? Close) HandleSmb1(ReadOnlySpan<byte> message)
    {
        Smb1Header header = Smb1Header.Read(message);
        if (header.IsReply)
        {
            return (null, "client sent an SMB1 response");
        }

        if (header.Command == Smb1Command.Negotiate)
        {
            return _smb1 is not null || _negotiate is not null ? (null, "second NEGOTIATE on one connection") : Smb1Negotiate(message, header);
        }

        if (_dialect != Dialect.Smb1)
        {
            return (null, _dialect is null ? "SMB1 request before NEGOTIATE" : "SMB1 request on an SMB2 connection");
        }

        if (_smb1Commands.Count < MaxRecordedCommands)
        {
            _smb1Commands.Add(header.Command);
        }

        // Every request after a user session's final SESSION_SETUP_ANDX takes sequence numbers, whatever its answer
        // ([MS-CIFS] 3.3.5.2); NT_CANCEL takes one, the others two.
        _smb1Current = null;
        if (_sessionEstablished && header.Command != Smb1Command.SessionSetupAndX)
        {
            NoteSmb1RequestSignature(message, header, expectsResponse: header.Command != Smb1Command.NtCancel);
        }

        if (IsAndX(header.Command) && Smb1AndX.Read(message, Smb1Header.Size, $"SMB1 {Smb1CommandNames.Get(header.Command)} request").HasNext)
        {
            // A well-formed chain: the listener serves one command per request, and says so instead of answering half of it.
            return (Smb1Reply(header, NtStatus.NotSupported, null, tamperable: false), null);
        }

        if (header.Command == Smb1Command.SessionSetupAndX)
        {
            return (Smb1SessionSetup(message, header), null);
        }

        if (header.Command == Smb1Command.NtCancel)
        {
            // [MS-CIFS] 2.2.4.65: no response.
            return (null, null);
        }

        if (!_sessionEstablished || header.Uid != _smb1Uid)
        {
            return (Smb1Reply(header, ListenStatus.Smb1BadUid, null, tamperable: false), null);
        }

        NoteSmb1UseAfterTest(header.Command);
        switch (header.Command)
        {
            case Smb1Command.LogoffAndX:
                return (Smb1Logoff(message, header), null);
            case Smb1Command.TreeConnectAndX:
                return (Smb1TreeConnect(message, header), null);
            default:
                break;
        }

        if (header.Tid == 0 || (header.Tid != _shareTreeId && header.Tid != _ipcTreeId))
        {
            return (Smb1Reply(header, ListenStatus.Smb1BadTid, null, tamperable: false), null);
        }

        bool onShare = header.Tid == _shareTreeId;
        byte[] reply = header.Command switch
        {
            Smb1Command.TreeDisconnect => Smb1TreeDisconnect(message, header),
            Smb1Command.NtCreateAndX when onShare => Smb1Create(message, header),
            Smb1Command.NtCreateAndX => Smb1Reply(header, NtStatus.ObjectNameNotFound, null, tamperable: false),
            Smb1Command.ReadAndX => Smb1Read(message, header),
            Smb1Command.QueryInformation2 => Smb1QueryInformation2(message, header),
            Smb1Command.Close => Smb1Close(message, header),
            Smb1Command.Transaction2 => Smb1Transaction2(message, header, onShare),
            Smb1Command.WriteAndX => Smb1Reply(header, ListenStatus.MediaWriteProtected, null, tamperable: onShare),
            _ => Smb1Reply(header, NtStatus.NotSupported, null, tamperable: onShare),
        };
        return (reply, null);
    }

    /// <summary>[MS-CIFS] 3.3.5.2: NT LM 0.12 with extended security ([MS-SMB] 2.2.4.5.2): signing enabled, never required
    /// (so the client's own requirement shows), a SPNEGO NegTokenInit offering NTLMSSP only.</summary>
    private (byte[]? Reply, string? Close) Smb1Negotiate(ReadOnlySpan<byte> message, Smb1Header header)
    {
        Smb1NegotiateRequest request = Smb1NegotiateRequest.Parse(message);
        _smb1 = new Smb1NegotiateInfo(request.Dialects, header.Flags2);
        if (request.Dialects.Contains(Smb1NegotiateRequest.Smb2Wildcard))
        {
            return (BuildNegotiateResponse(0, Dialect.Smb2Wildcard, null), null);
        }

        if (request.Dialects.Contains(Smb1NegotiateRequest.Smb2002))
        {
            _dialect = Dialect.Smb202;
            _algorithm = SigningAlgorithm.HmacSha256;
            _negotiate = new ClientNegotiateInfo([Dialect.Smb202], Smb2SecurityMode.None, Smb2Capabilities.None, Guid.Empty, null, null, null, null, null, null, null);
            return (BuildNegotiateResponse(0, Dialect.Smb202, null), null);
        }

        int index = -1;
        for (int i = 0; i < request.Dialects.Count; i++)
        {
            if (request.Dialects[i] == Smb1NegotiateRequest.NtLm012)
            {
                index = i;
            }
        }

        if (index < 0 || (header.Flags2 & Smb1Flags2.ExtendedSecurity) == 0)
        {
            _smb1Refusal = index < 0
                ? "the client offered no dialect the listener serves (NT LM 0.12 or SMB 2/3): only its NEGOTIATE was observed"
                : "SMB1 without extended security (NTLMv1/LM challenge-response) is not served: only the NEGOTIATE was observed";
            byte[] refuse = new Smb1NegotiateResponse { DialectIndex = Smb1NegotiateResponse.NoDialect, Flags2 = Smb1Flags2.NtStatus | Smb1Flags2.Unicode }
                .ToArray(header.PidLow, header.Mid);
            return (refuse, index < 0 ? "no dialect in common" : "SMB1 client without extended security");
        }

        _dialect = Dialect.Smb1;
        _algorithm = SigningAlgorithm.Md5Smb1;
        byte[] response = new Smb1NegotiateResponse
        {
            Flags2 = ServerFlags2,
            DialectIndex = (ushort)index,
            SecurityMode = Smb1SecurityMode.UserSecurity | Smb1SecurityMode.EncryptPasswords | Smb1SecurityMode.SecuritySignaturesEnabled,
            MaxMpxCount = 50,
            MaxNumberVcs = 1,
            MaxBufferSize = Smb1MaxBufferSize,
            MaxRawSize = 65536,
            SessionKey = 0,
            Capabilities = ServerCapabilities,
            SystemTime = (ulong)_time.GetUtcNow().ToFileTime(),
            ServerGuid = _serverGuid,
            SecurityBlob = new NegTokenInit { MechTypes = [SpnegoMechanisms.Ntlmssp], HintName = HintName }.Encode(),
        }.ToArray(header.PidLow, header.Mid);
        return (response, null);
    }

    /// <summary>[MS-SMB] 3.3.5.3: NTLMSSP in SPNEGO over SESSION_SETUP_ANDX (extended security form only). Signing
    /// starts with the final response when the client asked for it in that request's Flags2 (this server only enables
    /// signing, so the client's flags decide): the request counts as sequence number 0, the response as 1 ([MS-CIFS] 3.3.5.43 / 3.1.4.1).</summary>
    private byte[] Smb1SessionSetup(ReadOnlySpan<byte> message, Smb1Header header)
    {
        if (message.Length > Smb1Header.Size && message[Smb1Header.Size] == 13)
        {
            ThrowHelperWire.Smb1("SESSION_SETUP_ANDX without extended security (WordCount 13, NTLMv1/LM passwords) is not served");
        }

        SessionSetupAndXRequest request = SessionSetupAndXRequest.Parse(message);
        _smb1SessionSetupFlags2 ??= header.Flags2;
        _smb1ClientCapabilities ??= (Smb1Capabilities)request.Capabilities;
        if (header.Uid == 0 || _smb1Uid == 0)
        {
            if (_sessionEstablished)
            {
                return Smb1Reply(header, NtStatus.NotSupported, null, tamperable: false);
            }

            StartSmb1Session();
        }
        else if (header.Uid != _smb1Uid)
        {
            return Smb1Reply(header, ListenStatus.Smb1BadUid, null, tamperable: false);
        }
        else if (_sessionEstablished)
        {
            // Re-authentication of an established session is not served.
            return Smb1Reply(header, NtStatus.NotSupported, null, tamperable: false);
        }

        (AuthStep step, byte[] buffer) = Authenticate(request.SecurityBlob.Span);
        if (step == AuthStep.Failed)
        {
            return Smb1Reply(header, NtStatus.LogonFailure, null, tamperable: false);
        }

        var body = new SessionSetupAndXResponse
        {
            Action = _authentication == ListenAuthentication.Guest ? SessionSetupAndXResponse.ActionGuest : (ushort)0,
            SecurityBlob = buffer,
            NativeOs = "SmbSign",
            NativeLanMan = "SmbSign listen",
        };
        if (step == AuthStep.Continue)
        {
            return Smb1Reply(header, NtStatus.MoreProcessingRequired, body, tamperable: false);
        }

        _sessionEstablished = true;
        if (_authentication == ListenAuthentication.User)
        {
            // The MAC key exists for every user session, so test modes can corrupt a MAC even where the client did not
            // turn signing on; it signs correctly only when the client asked for signing.
            _smb1Signer = new Smb1MessageSigner(Smb1Signing.CreateMacKey(_ntlm!.SessionKey));
            _smb1SigningActive = (header.Flags2 & (Smb1Flags2.SmbSecuritySignature | Smb1Flags2.SecuritySignatureRequired)) != 0;
            _smb1Sequence = new Smb1SigningSequence(2);
            _smb1Current = new Smb1SequenceNumbers(0, 1);
        }

        return Smb1Reply(header, NtStatus.Success, body, tamperable: false);
    }

    private void StartSmb1Session()
    {
        _smb1Signer?.Dispose();
        _smb1Signer = null;
        _smb1Sequence = null;
        _smb1Current = null;
        _smb1SigningActive = false;
        _ntlm?.Dispose();
        _ntlm = null;
        _clientSentMechListMic = false;
        _ntlmWasFirstMech = true;
        Span<byte> id = stackalloc byte[2];
        do
        {
            RandomNumberGenerator.Fill(id);
            _smb1Uid = BinaryPrimitives.ReadUInt16LittleEndian(id);
        }
        while (_smb1Uid is 0 or 0xFFFF or 0xFFFE);
    }

    private byte[] Smb1Logoff(ReadOnlySpan<byte> message, Smb1Header header)
    {
        LogoffAndXRequest.Validate(message);
        byte[] reply = Smb1Reply(header, NtStatus.Success, LogoffBody.Instance, tamperable: false);
        _sessionEstablished = false;
        _open.Clear();
        return reply;
    }

    /// <summary>[MS-CIFS] 3.3.5.46: the probe share ("A:") or IPC$ ("IPC"); the extended response when asked for.</summary>
    private byte[] Smb1TreeConnect(ReadOnlySpan<byte> message, Smb1Header header)
    {
        TreeConnectAndXRequest request = TreeConnectAndXRequest.Parse(message);
        string path = request.Path;
        int last = path.LastIndexOf('\\');
        string share = last >= 0 ? path[(last + 1)..] : path;
        ushort tid;
        bool disk;
        if (string.Equals(share, _options.Share, StringComparison.OrdinalIgnoreCase))
        {
            _shareTreeId = _nextTreeId++;
            tid = (ushort)_shareTreeId;
            disk = true;
        }
        else if (string.Equals(share, "IPC$", StringComparison.OrdinalIgnoreCase))
        {
            _ipcTreeId = _nextTreeId++;
            tid = (ushort)_ipcTreeId;
            disk = false;
        }
        else
        {
            return Smb1Reply(header, NtStatus.BadNetworkName, null, tamperable: false);
        }

        var body = new TreeConnectAndXResponse
        {
            Extended = (request.Flags & TreeConnectAndXRequest.FlagExtendedResponse) != 0,
            OptionalSupport = TreeConnectAndXResponse.SupportSearchBits,
            MaximalShareAccessRights = ReadOnlyAccess,
            GuestMaximalShareAccessRights = ReadOnlyAccess,
            Service = disk ? "A:" : "IPC",
            NativeFileSystem = disk ? "NTFS" : string.Empty,
        };
        return Smb1Reply(header with { Tid = tid }, NtStatus.Success, body, tamperable: false);
    }

    private byte[] Smb1TreeDisconnect(ReadOnlySpan<byte> message, Smb1Header header)
    {
        CheckBody(message, "TREE_DISCONNECT request", 0);
        byte[] reply = Smb1Reply(header, NtStatus.Success, EmptyBody.Instance, tamperable: false);
        if (header.Tid == _shareTreeId)
        {
            _shareTreeId = 0;
        }
        else
        {
            _ipcTreeId = 0;
        }

        return reply;
    }

    /// <summary>[MS-CIFS] 3.3.5.51 / [MS-SMB] 3.3.5.6: read-only opens of the probe file or the root; anything that could
    /// write, create or delete is refused.</summary>
    private byte[] Smb1Create(ReadOnlySpan<byte> message, Smb1Header header)
    {
        NtCreateAndXRequest request = NtCreateAndXRequest.Parse(message);
        const uint DeleteOnClose = 0x0000_1000;
        const uint DirectoryFile = 0x0000_0001;
        const uint NonDirectoryFile = 0x0000_0040;
        if ((request.DesiredAccess & WriteAccessBits) != 0
            || request.CreateDisposition is not (1 or 3) // FILE_OPEN, FILE_OPEN_IF
            || (request.CreateOptions & DeleteOnClose) != 0)
        {
            return Smb1Reply(header, NtStatus.AccessDenied, null, tamperable: true);
        }

        if (ProbeShare.Resolve(request.FileName) is not { } file)
        {
            return Smb1Reply(header, NtStatus.ObjectNameNotFound, null, tamperable: true);
        }

        if ((request.CreateOptions & DirectoryFile) != 0 && !file.IsDirectory)
        {
            return Smb1Reply(header, ListenStatus.NotADirectory, null, tamperable: true);
        }

        if ((request.CreateOptions & NonDirectoryFile) != 0 && file.IsDirectory)
        {
            return Smb1Reply(header, ListenStatus.FileIsADirectory, null, tamperable: true);
        }

        if (_open.Count >= _options.MaxOpenFiles || _nextFileId >= 0xFFFF)
        {
            return Smb1Reply(header, ListenStatus.TooManyOpenedFiles, null, tamperable: true);
        }

        ushort fid = (ushort)_nextFileId++;
        _open[fid] = new OpenFile(file);
        var body = new NtCreateAndXResponse
        {
            Fid = fid,
            CreateDisposition = 1, // FILE_OPENED
            CreationTime = file.CreationTime,
            LastAccessTime = file.LastAccessTime,
            LastWriteTime = file.LastWriteTime,
            LastChangeTime = file.ChangeTime,
            ExtFileAttributes = file.FileAttributes,
            AllocationSize = file.AllocationSize,
            EndOfFile = file.EndOfFile,
            Directory = file.IsDirectory,
        };
        return Smb1Reply(header, NtStatus.Success, body, tamperable: true);
    }

    /// <summary>[MS-CIFS] 3.3.5.35: a read at or past the end returns success with no data (SMB1 has no END_OF_FILE here).</summary>
    private byte[] Smb1Read(ReadOnlySpan<byte> message, Smb1Header header)
    {
        ReadAndXRequest request = ReadAndXRequest.Parse(message);
        if (!_open.TryGetValue(request.Fid, out OpenFile? open))
        {
            return Smb1Reply(header, ListenStatus.Smb1BadFid, null, tamperable: true);
        }

        if (open.File.IsDirectory)
        {
            return Smb1Reply(header, ListenStatus.InvalidDeviceRequest, null, tamperable: true);
        }

        ReadOnlyMemory<byte> content = ProbeShare.Content;
        ReadOnlyMemory<byte> data = ReadOnlyMemory<byte>.Empty;
        if (request.Offset < (ulong)content.Length)
        {
            int offset = (int)request.Offset;
            data = content.Slice(offset, Math.Min(request.MaxCount, content.Length - offset));
        }

        if (request.Offset + (ulong)data.Length >= (ulong)content.Length)
        {
            _readProbeFile = true;
        }

        return Smb1Reply(header, NtStatus.Success, new ReadAndXResponse { Available = 0xFFFF, Data = data }, tamperable: true);
    }

    private byte[] Smb1QueryInformation2(ReadOnlySpan<byte> message, Smb1Header header)
    {
        QueryInformation2Request request = QueryInformation2Request.Parse(message);
        if (!_open.TryGetValue(request.Fid, out OpenFile? open))
        {
            return Smb1Reply(header, ListenStatus.Smb1BadFid, null, tamperable: true);
        }

        FileMetadata file = open.File;
        var body = new QueryInformation2Response
        {
            CreationTime = DateTime.FromFileTimeUtc(file.CreationTime),
            LastAccessTime = DateTime.FromFileTimeUtc(file.LastAccessTime),
            LastWriteTime = DateTime.FromFileTimeUtc(file.LastWriteTime),
            FileDataSize = (uint)file.EndOfFile,
            FileAllocationSize = (uint)file.AllocationSize,
            FileAttributes = (ushort)(file.FileAttributes & Smb1AttributeMask),
        };
        return Smb1Reply(header, NtStatus.Success, body, tamperable: true);
    }

    /// <summary>TRANS2_QUERY_FILE_INFORMATION (basic, standard and all-info levels: Samba's client asks for all-info
    /// before a read); every other subcommand and level is not supported.</summary>
    private byte[] Smb1Transaction2(ReadOnlySpan<byte> message, Smb1Header header, bool onShare)
    {
        Transaction2Request request = Transaction2Request.Parse(message);
        if (request.Subcommand != Transaction2Request.QueryFileInformation)
        {
            return Smb1Reply(header, NtStatus.NotSupported, null, tamperable: onShare);
        }

        QueryFileInformationParameters parameters = QueryFileInformationParameters.Parse(request.Parameters.Span);
        if (!_open.TryGetValue(parameters.Fid, out OpenFile? open))
        {
            return Smb1Reply(header, ListenStatus.Smb1BadFid, null, tamperable: onShare);
        }

        if (QueryFileInformationParameters.Encode(parameters.InformationLevel, open.File) is not { } data)
        {
            return Smb1Reply(header, NtStatus.NotSupported, null, tamperable: onShare);
        }

        if (data.Length > request.MaxDataCount || request.MaxParameterCount < 2)
        {
            return Smb1Reply(header, ListenStatus.BufferTooSmall, null, tamperable: onShare);
        }

        // Parameters: EaErrorOffset (0), [MS-CIFS] 2.2.6.8.2.
        return Smb1Reply(header, NtStatus.Success, new Transaction2Response { Parameters = new byte[2], Data = data }, tamperable: onShare);
    }

    private byte[] Smb1Close(ReadOnlySpan<byte> message, Smb1Header header)
    {
        Smb1CloseRequest request = Smb1CloseRequest.Parse(message);
        return _open.Remove(request.Fid)
            ? Smb1Reply(header, NtStatus.Success, EmptyBody.Instance, tamperable: true)
            : Smb1Reply(header, ListenStatus.Smb1BadFid, null, tamperable: true);
    }

    /// <summary>Checks a body with fixed WordCount (for commands whose request has no codec of its own).</summary>
    private static void CheckBody(ReadOnlySpan<byte> message, string what, byte wordCount)
    {
        if (message.Length < Smb1Header.Size + 3 || message[Smb1Header.Size] != wordCount)
        {
            ThrowHelperWire.Smb1($"{what}: expected WordCount {wordCount}");
        }

        int byteCount = BinaryPrimitives.ReadUInt16LittleEndian(message[(Smb1Header.Size + 1 + (wordCount * 2))..]);
        if (Smb1Header.Size + 3 + (wordCount * 2) + byteCount > message.Length)
        {
            ThrowHelperWire.Smb1($"{what}: ByteCount {byteCount} runs past the {message.Length}-byte message");
        }
    }

    private static bool IsAndX(Smb1Command command) => command is Smb1Command.SessionSetupAndX or Smb1Command.TreeConnectAndX
        or Smb1Command.NtCreateAndX or Smb1Command.ReadAndX or Smb1Command.WriteAndX or Smb1Command.LogoffAndX or Smb1Command.LockingAndX;

    /// <summary>SMB1 states the requirement in Flags2: true when SECURITY_SIGNATURE_REQUIRED is set in NEGOTIATE or
    /// SESSION_SETUP_ANDX; false when the SESSION_SETUP_ANDX carries neither that bit nor SECURITY_SIGNATURE (the client
    /// did not even ask for signing, so it cannot be requiring it); otherwise null: a client that asks for signing without
    /// the REQUIRED bit may still require it, and only the test modes show that.</summary>
    private bool? Smb1RequiresSigning()
    {
        Smb1Flags2 stated = (_smb1?.Flags2 ?? Smb1Flags2.None) | (_smb1SessionSetupFlags2 ?? Smb1Flags2.None);
        if ((stated & Smb1Flags2.SecuritySignatureRequired) != 0)
        {
            return true;
        }

        return _smb1SessionSetupFlags2 is not null && (stated & Smb1Flags2.SmbSecuritySignature) == 0 ? false : null;
    }

    /// <summary>Counts whether a request after authentication was signed and whether its MAC verified, taking its
    /// sequence number (and its response's) from the connection's counter.</summary>
    private void NoteSmb1RequestSignature(ReadOnlySpan<byte> message, Smb1Header header, bool expectsResponse)
    {
        if (_smb1Sequence is null || _smb1Signer is null)
        {
            _smb1Current = null;
            return;
        }

        Smb1SequenceNumbers numbers = _smb1Sequence.NextRequest(expectsResponse);
        _smb1Current = numbers;
        if ((header.Flags2 & Smb1Flags2.SmbSecuritySignature) == 0)
        {
            _unsignedRequests++;
            if (header.Tid != 0 && header.Tid == _shareTreeId)
            {
                _unsignedShareRequests++;
            }
        }
        else if (_smb1Signer.Verify(message, numbers.Request))
        {
            _signedRequests++;
        }
        else
        {
            _badlySignedRequests++;
        }
    }

    /// <summary>As <see cref="NoteUseAfterTest"/>: LOGOFF_ANDX, TREE_DISCONNECT and NT_CANCEL are ways out, not use.</summary>
    private void NoteSmb1UseAfterTest(Smb1Command command)
    {
        if (command is Smb1Command.LogoffAndX or Smb1Command.TreeDisconnect or Smb1Command.NtCancel)
        {
            return;
        }

        if (_tamperedResponses > 0)
        {
            _usedAfterTamper ??= Smb1CommandNames.Get(command);
        }

        if (_authentication is ListenAuthentication.Guest or ListenAuthentication.Anonymous)
        {
            _usedGuestSession ??= Smb1CommandNames.Get(command);
        }
    }

    /// <summary>Builds a response (an error has the empty body) and signs it: with the response's sequence number when
    /// signing is active; in a test mode, a successful response to a request on the probe share is sent unsigned or with a
    /// corrupted MAC.</summary>
    private byte[] Smb1Reply(Smb1Header header, uint status, ISmb1Response? body, bool tamperable)
    {
        ISmb1Response written = status == NtStatus.Success || status == NtStatus.MoreProcessingRequired ? body ?? EmptyBody.Instance : EmptyBody.Instance;
        byte[] reply = new byte[Smb1Header.Size + written.GetEncodedLength()];
        ushort uid = header.Command == Smb1Command.SessionSetupAndX ? _smb1Uid : header.Uid;
        new Smb1Header(header.Command, status, Smb1Flags.Reply | Smb1Flags.CaseInsensitive | Smb1Flags.CanonicalizedPaths, ServerFlags2,
            header.PidHigh, 0, header.Tid, header.PidLow, uid, header.Mid).Write(reply);
        written.WriteTo(reply.AsSpan(Smb1Header.Size));
        if (_smb1Signer is null || _smb1Current is not { Response: { } sequence })
        {
            return reply;
        }

        // Only successful answers are tampered with: a client that stops after an error it asked for (a command or TRANS2
        // subcommand this listener does not serve, such as a directory listing) must not be judged as enforcing signing.
        bool test = tamperable && status == NtStatus.Success && header.Tid != 0 && header.Tid == _shareTreeId && _options.Mode != ListenTestMode.Observe;
        if (test && _options.Mode == ListenTestMode.Unsigned)
        {
            _tamperedResponses++;
            _firstTamperedCommand ??= Smb1CommandNames.Get(header.Command);
        }
        else if (test)
        {
            _smb1Signer.Sign(reply, sequence);
            reply[Smb1Header.SecuritySignatureOffset] ^= 0x5A;
            reply[Smb1Header.SecuritySignatureOffset + 7] ^= 0xA5;
            _tamperedResponses++;
            _firstTamperedCommand ??= Smb1CommandNames.Get(header.Command);
        }
        else if (_smb1SigningActive)
        {
            _smb1Signer.Sign(reply, sequence);
            _signedResponses++;
        }

        return reply;
    }

    /// <summary>WordCount 0, ByteCount 0: errors, CLOSE and TREE_DISCONNECT responses.</summary>
    private sealed class EmptyBody : ISmb1Response
    {
        public static EmptyBody Instance { get; } = new();

        public int GetEncodedLength() => Smb1EmptyResponse.EncodedLength;

        public int WriteTo(Span<byte> body) => Smb1EmptyResponse.WriteTo(body);
    }

    /// <summary>The LOGOFF_ANDX response has the request's shape: the AndX block and ByteCount 0 ([MS-CIFS] 2.2.4.54.2).</summary>
    private sealed class LogoffBody : ISmb1Response
    {
        public static LogoffBody Instance { get; } = new();

        public int GetEncodedLength() => LogoffAndXRequest.Instance.GetEncodedLength();

        public int WriteTo(Span<byte> body) => LogoffAndXRequest.Instance.WriteTo(body);
    }
}

/// <summary>Malformed SMB1 requests the codecs do not cover end the connection as protocol errors, like theirs.</summary>
internal static class ThrowHelperWire
{
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Smb1(string message) => throw new SmbProtocolException(message);
}
