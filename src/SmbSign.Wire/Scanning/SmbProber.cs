using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SmbSign.Protocol;
using SmbSign.Protocol.Errors;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.SessionSetup;
using SmbSign.Wire.Transport;

namespace SmbSign.Wire.Scanning;

/// <summary>How one probe behaves.</summary>
public sealed record ProbeOptions
{
    /// <summary>Deadline for the whole target: name resolution, every connection and every reply.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Also enumerate accepted dialects (one connection each) and 3.1.1 signing algorithms (one each), and ask every
    /// SMB2 server whether it speaks SMB1 (an NT LM 0.12-only NEGOTIATE), not only those that require SMB2 signing.</summary>
    public bool Deep { get; init; }

    /// <summary>Largest frame accepted from a server; NEGOTIATE and CHALLENGE replies are a few hundred bytes.</summary>
    public int MaxFrameSize { get; init; } = 64 * 1024;

    /// <summary>Source of client GUIDs and preauth salts (injectable so tests are exact).</summary>
    public Action<Span<byte>> Random { get; init; } = RandomNumberGenerator.Fill;
}

/// <summary>Probes one server without credentials (protocol notes §15.1). Connection A: SMB1 multi-protocol NEGOTIATE
/// (NT LM 0.12, SMB 2.002, SMB 2.???); after a 0x02FF reply a full SMB2 NEGOTIATE (all five dialects, 3.1.1 contexts)
/// with MessageId 1; then SESSION_SETUP with SPNEGO(NTLMSSP NEGOTIATE) to read the CHALLENGE's target info, and close.
/// Connection B, in parallel with the SESSION_SETUP, for servers that answered SMB2 and either require SMB2 signing (SMB1 then
/// decides the relay verdict) or are probed with <see cref="ProbeOptions.Deep"/>: NEGOTIATE offering only NT LM 0.12 (reply →
/// SMB1 on and its SecurityMode; reset, close, silence or "no dialect" → SMB1 off). Otherwise SMB1 of an SMB2 server stays
/// not determined (null): one connection per target. A server that closes on any SMB1 NEGOTIATE gets a native
/// SMB2 NEGOTIATE on a new connection. Signing verdicts come from the raw SecurityMode bits only. Never throws for
/// anything a peer does: every failure becomes <see cref="ServerPosture.Error"/>; only <c>cancellationToken</c> throws.</summary>
public sealed class SmbProber
{
    // The two SMB1 requests never change: encoded once, not per target.
    private static readonly byte[] s_multiProtocolNegotiate = Smb1NegotiateRequest.MultiProtocol.ToArray();
    private static readonly byte[] s_smb1OnlyNegotiate = Smb1NegotiateRequest.Smb1Only.ToArray();

    private readonly ProbeOptions _options;
    private readonly TimeProvider _time;

    public SmbProber(ProbeOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new ProbeOptions();
        _time = timeProvider ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Timeout, TimeSpan.Zero);
    }

    public ProbeOptions Options => _options;

    public async Task<ServerPosture> ProbeAsync(ScanTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        long started = _time.GetTimestamp();
        var run = new ProbeRun(this, target, cancellationToken);
        // One timer per target. On the system clock a linked source with CancelAfter is a single object; an injected
        // clock needs its own source.
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using CancellationTokenSource? deadline = ReferenceEquals(_time, TimeProvider.System) ? null : new CancellationTokenSource(_options.Timeout, _time);
        using CancellationTokenRegistration onDeadline = deadline is null ? default : deadline.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), linked);
        if (deadline is null)
        {
            linked.CancelAfter(_options.Timeout);
        }

        try
        {
            await run.RunAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            run.Fail(ProbeErrorKind.Timeout, $"no complete answer within the {_options.Timeout.TotalMilliseconds:0} ms target deadline");
        }
        catch (SmbTransportException e)
        {
            run.Fail(Map(e), e.Message);
        }
        catch (SmbProtocolException e)
        {
            run.Fail(ProbeErrorKind.ProtocolError, e.Offset is { } offset and >= 0 ? $"{e.Message} (byte {offset})" : e.Message);
        }
        catch (SocketException e)
        {
            run.Fail(Map(e.SocketErrorCode), e.Message);
        }
        catch (IOException e)
        {
            run.Fail(ProbeErrorKind.ConnectionClosed, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // A peer's bytes reached a path that should have rejected them with SmbProtocolException: still a per-target
            // result, never an exception that ends the scan.
            run.Fail(ProbeErrorKind.ProtocolError, $"unexpected {e.GetType().Name}: {e.Message}");
        }

        // Connection B may still be waiting when A failed; its answer (or the deadline) completes it.
        await run.CompleteSmb1ProbeAsync().ConfigureAwait(false);
        return run.ToPosture(_time.GetElapsedTime(started));
    }

    /// <summary>A reset is a reset wherever it surfaces: under load the RST of a server that resets right after accept
    /// can reach the client before its connect completes, and the connect then fails with ECONNRESET, which the transport
    /// reports as "cannot connect". The TCP handshake did complete, so it is <see cref="ProbeErrorKind.ConnectionReset"/>,
    /// the same answer a probe of that server alone gets.</summary>
    private static ProbeErrorKind Map(SmbTransportException e) =>
        e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted } ? ProbeErrorKind.ConnectionReset : Map(e.Kind);

    private static ProbeErrorKind Map(SocketError error) => error switch
    {
        SocketError.ConnectionReset or SocketError.ConnectionAborted => ProbeErrorKind.ConnectionReset,
        SocketError.ConnectionRefused => ProbeErrorKind.Refused,
        SocketError.TimedOut => ProbeErrorKind.Timeout,
        _ => ProbeErrorKind.Unreachable,
    };

    private static ProbeErrorKind Map(TransportErrorKind kind) => kind switch
    {
        TransportErrorKind.NameResolution => ProbeErrorKind.NameResolution,
        TransportErrorKind.Refused => ProbeErrorKind.Refused,
        TransportErrorKind.Unreachable => ProbeErrorKind.Unreachable,
        TransportErrorKind.Timeout => ProbeErrorKind.Timeout,
        TransportErrorKind.ConnectionReset => ProbeErrorKind.ConnectionReset,
        TransportErrorKind.ConnectionClosed => ProbeErrorKind.ConnectionClosed,
        TransportErrorKind.FrameTooLarge => ProbeErrorKind.FrameTooLarge,
        TransportErrorKind.InvalidFraming => ProbeErrorKind.InvalidFraming,
        _ => ProbeErrorKind.ProtocolError,
    };

    private Guid NewClientGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _options.Random(bytes);
        return new Guid(bytes);
    }

    private byte[] NewSalt()
    {
        byte[] salt = new byte[32];
        _options.Random(salt);
        return salt;
    }

    private async Task<SmbConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        // The per-target deadline (cancellationToken) bounds the connect and every receive; no timer per operation.
        SmbConnection connection = await SmbConnection.ConnectAsync(endPoint, Timeout.InfiniteTimeSpan, _time, _options.MaxFrameSize, cancellationToken).ConfigureAwait(false);
        connection.ReadTimeout = Timeout.InfiniteTimeSpan;
        return connection;
    }

    /// <summary>Mutable state of one probe; turned into an immutable <see cref="ServerPosture"/> at the end.</summary>
    private sealed class ProbeRun(SmbProber prober, ScanTarget target, CancellationToken outer)
    {
        private IPAddress? _address = target.Address;
        private IPEndPoint? _endPoint;
        private bool _reachable;
        private Smb1Posture _smb1 = Smb1Posture.Unknown;
        private Smb2Posture _smb2 = Smb2Posture.Unknown;
        private HostInfo _host = HostInfo.Unknown;
        private bool? _ntlm;
        private ProbeError? _error;
        private string _phase = "resolve";
        private Task<(Smb1Posture Posture, string? ServerName, string? Domain)>? _smb1Probe;

        public void Fail(ProbeErrorKind kind, string message)
        {
            _error ??= new ProbeError(kind, _phase, message);

            // A reset is an answer from a TCP peer, even when it arrives before the connect completes: the host is
            // reachable, as it is when the reset comes after the connect.
            _reachable |= kind == ProbeErrorKind.ConnectionReset;
        }

        public async Task RunAsync(CancellationToken token)
        {
            if (_address is null)
            {
                _address = await ResolveAsync(target.Host, token).ConfigureAwait(false);
                if (_address is null)
                {
                    return;
                }
            }

            _endPoint = new IPEndPoint(_address, target.Port);
            _phase = "connect";
            SmbConnection a = await prober.ConnectAsync(_endPoint, token).ConfigureAwait(false);
            await using (a.ConfigureAwait(false))
            {
                _reachable = true;
                _phase = "SMB1 multi-protocol NEGOTIATE";
                ReadOnlyMemory<byte> reply;
                try
                {
                    reply = await a.ExchangeAsync(s_multiProtocolNegotiate, token).ConfigureAwait(false);
                }
                catch (SmbTransportException e) when (e.Kind is TransportErrorKind.ConnectionReset or TransportErrorKind.ConnectionClosed && a.BytesReceived == 0)
                {
                    // No SMB1 framing at all: SMB1 is off; ask in SMB2 directly on a new connection.
                    _smb1 = new Smb1Posture(Enabled: false);
                    await NativeSmb2Async(token).ConfigureAwait(false);
                    return;
                }

                if (Smb1Header.HasSmb1ProtocolId(reply.Span))
                {
                    Smb1NegotiateResponse smb1 = Smb1NegotiateResponse.Parse(reply.Span);
                    if (!smb1.HasDialect)
                    {
                        _smb1 = new Smb1Posture(Enabled: false);
                        await NativeSmb2Async(token).ConfigureAwait(false);
                        return;
                    }

                    if (smb1.DialectIndex != 0)
                    {
                        throw new SmbProtocolException($"the server chose dialect index {smb1.DialectIndex} ('{Smb1NegotiateRequest.MultiProtocol.Dialects.ElementAtOrDefault(smb1.DialectIndex)}') in an SMB1 reply", Smb1Header.Size + 1);
                    }

                    // An SMB1 reply to an offer that included "SMB 2.???" means the server does not speak SMB2.
                    RecordSmb1(smb1);
                    _smb2 = new Smb2Posture { Enabled = false };
                    return;
                }

                if (!Smb2Header.HasSmb2ProtocolId(reply.Span))
                {
                    throw new SmbProtocolException($"the reply is neither SMB1 nor SMB2 (starts with {Convert.ToHexString(reply.Span[..Math.Min(8, reply.Length)])})", 0);
                }

                Smb2Header firstHeader = Smb2Requests.ReadResponseHeader(reply.Span, Smb2Command.Negotiate);
                if (firstHeader.Status != NtStatus.Success)
                {
                    // Samba restricted to AES signing (no 2.x dialect possible) fails the SMB1 upgrade path with
                    // STATUS_INVALID_PARAMETER but answers a native SMB2 NEGOTIATE: ask again on a new connection.
                    await NativeSmb2Async(token).ConfigureAwait(false);
                    return;
                }

                Smb2NegotiateResponse first = Smb2NegotiateResponse.Parse(reply.Span);

                // [MS-SMB2] 3.3.5.3.1: to the multi-protocol NEGOTIATE an SMB2 server answers 0x02FF or, offered
                // "SMB 2.002", 0x0202; anything else was never offered.
                if (first.DialectRevision is not (Dialect.Smb2Wildcard or Dialect.Smb202))
                {
                    throw NotOffered(first.DialectRevision, "0x0202 or 0x02FF (the multi-protocol NEGOTIATE offers \"SMB 2.002\" and \"SMB 2.???\")");
                }

                ulong messageId = 1;
                Smb2NegotiateResponse final = first;
                if (first.DialectRevision == Dialect.Smb2Wildcard)
                {
                    _phase = "SMB2 NEGOTIATE";
                    byte[] request = Smb2NegotiateRequest.CreateProbe(prober.NewClientGuid(), prober.NewSalt())
                        .ToArray(Smb2Requests.Header(Smb2Command.Negotiate, messageId: 1));
                    reply = await a.ExchangeAsync(request, token).ConfigureAwait(false);
                    final = Smb2NegotiateResponse.Parse(reply.Span);
                    messageId = 2;
                }

                await AfterSmb2NegotiateAsync(a, final, messageId, token).ConfigureAwait(false);
            }
        }

        public async Task CompleteSmb1ProbeAsync()
        {
            if (_smb1Probe is not null)
            {
                (Smb1Posture posture, string? serverName, string? domain) = await _smb1Probe.ConfigureAwait(false);
                _smb1Probe = null;
                _smb1 = posture;
                _host = _host with { NetbiosName = _host.NetbiosName ?? serverName, Domain = _host.Domain ?? domain };
            }
        }

        public ServerPosture ToPosture(TimeSpan elapsed) => new()
        {
            Target = target,
            Address = _address,
            Reachable = _reachable,
            Smb1 = _smb1,
            Smb2 = _smb2,
            Host = _host,
            Ntlm = _ntlm,
            Error = _error,
            Elapsed = elapsed,
        };

        private async Task<IPAddress?> ResolveAsync(string host, CancellationToken token)
        {
            try
            {
                IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, token).ConfigureAwait(false);
                IPAddress? chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
                if (chosen is null)
                {
                    Fail(ProbeErrorKind.NameResolution, $"'{host}' has no address");
                }

                return chosen;
            }
            catch (SocketException e)
            {
                Fail(ProbeErrorKind.NameResolution, $"'{host}' did not resolve: {e.SocketErrorCode}");
                return null;
            }
        }

        private async Task NativeSmb2Async(CancellationToken token)
        {
            _phase = "SMB2 NEGOTIATE (native, after the SMB1 multi-protocol NEGOTIATE failed)";
            SmbConnection b = await prober.ConnectAsync(_endPoint!, token).ConfigureAwait(false);
            await using (b.ConfigureAwait(false))
            {
                byte[] request = Smb2NegotiateRequest.CreateProbe(prober.NewClientGuid(), prober.NewSalt())
                    .ToArray(Smb2Requests.Header(Smb2Command.Negotiate, messageId: 0));
                ReadOnlyMemory<byte> reply = await b.ExchangeAsync(request, token).ConfigureAwait(false);
                Smb2NegotiateResponse response = Smb2NegotiateResponse.Parse(reply.Span);
                await AfterSmb2NegotiateAsync(b, response, 1, token).ConfigureAwait(false);
            }
        }

        private async Task AfterSmb2NegotiateAsync(SmbConnection connection, Smb2NegotiateResponse response, ulong messageId, CancellationToken token)
        {
            // [MS-SMB2] 3.2.5.2: the DialectRevision must be one the client offered (the probe offers all five SMB2 dialects,
            // or only 0x0202 in the multi-protocol NEGOTIATE, checked above).
            if (response.DialectRevision != Dialect.Smb202 && !DialectInfo.Smb2Dialects.Contains(response.DialectRevision))
            {
                throw NotOffered(response.DialectRevision, string.Join(", ", DialectInfo.Smb2Dialects.Select(d => d.ToDisplayString())));
            }

            RecordSmb2(response);
            if (_smb1.Enabled is null && (prober._options.Deep || _smb2.Signing == Smb2SigningState.Required))
            {
                // Connection B, in parallel with the SESSION_SETUP. Without --deep only when SMB2 requires signing: then
                // SMB1 decides the relay verdict. When SMB2 already does not require signing the server is a relay target
                // whatever SMB1 says, so the second connection is spent only on request (SMB1 stays "not determined").
                _smb1Probe = ProbeSmb1OnlyAsync(token);
            }

            Task<(IReadOnlyList<Dialect>?, IReadOnlyList<SigningAlgorithm>?)>? deep = prober._options.Deep ? DeepAsync(token) : null;
            _phase = "SESSION_SETUP (NTLMSSP NEGOTIATE)";
            await ReadChallengeAsync(connection, messageId, token).ConfigureAwait(false);
            if (deep is not null)
            {
                _phase = "deep enumeration";
                (IReadOnlyList<Dialect>? dialects, IReadOnlyList<SigningAlgorithm>? algorithms) = await deep.ConfigureAwait(false);
                _smb2 = _smb2 with { Dialects = dialects, SigningAlgorithms = algorithms };
            }
        }

        private static SmbProtocolException NotOffered(Dialect chosen, string offered) => new(
            $"the server chose dialect 0x{(ushort)chosen:X4}, which was not offered (offered: {offered})", Smb2Header.Size + 4);

        private void RecordSmb1(Smb1NegotiateResponse response)
        {
            _smb1 = new Smb1Posture(Enabled: true, Signing: response.SigningState, SecurityMode: response.SecurityMode);
            if (!response.IsExtendedSecurity)
            {
                _host = _host with { NetbiosName = response.ServerName ?? _host.NetbiosName, Domain = response.DomainName ?? _host.Domain };
            }
        }

        private void RecordSmb2(Smb2NegotiateResponse response)
        {
            IReadOnlyList<string>? mechanisms = null;
            if (response.SecurityBuffer.IsEmpty)
            {
                mechanisms = [];
            }
            else
            {
                try
                {
                    mechanisms = NegTokenInit.Decode(response.SecurityBuffer.Span).MechanismNames;
                }
                catch (SmbProtocolException)
                {
                    // An unreadable GSS token leaves the mechanisms unknown; it does not change the signing verdict.
                }
            }

            if (mechanisms is { Count: > 0 } && !mechanisms.Contains("NTLMSSP"))
            {
                _ntlm = false;
            }

            _smb2 = new Smb2Posture
            {
                Enabled = true,
                Dialect = response.DialectRevision,
                Signing = response.SigningRequired ? Smb2SigningState.Required
                    : response.SigningEnabled ? Smb2SigningState.Enabled : Smb2SigningState.Disabled,
                SecurityMode = response.SecurityMode,
                SigningAlgorithm = response.ConnectionSigningAlgorithm,
                Cipher = response.ConnectionCipher,
                ServerGuid = response.ServerGuid,
                Mechanisms = mechanisms,
                Capabilities = response.Capabilities,
                SystemTime = Smb2NegotiateResponse.FromFileTime(response.SystemTime),
            };
        }

        private async Task ReadChallengeAsync(SmbConnection connection, ulong messageId, CancellationToken token)
        {
            byte[] negotiate = new NtlmNegotiateMessage().ToArray();
            byte[] spnego = new NegTokenInit { MechTypes = [SpnegoMechanisms.Ntlmssp], MechToken = negotiate }.Encode();
            byte[] request = new Smb2SessionSetupRequest { SecurityMode = Smb2SecurityMode.SigningEnabled, SecurityBuffer = spnego }
                .ToArray(Smb2Requests.Header(Smb2Command.SessionSetup, messageId));
            ReadOnlyMemory<byte> reply = await connection.ExchangeAsync(request, token).ConfigureAwait(false);
            Smb2Header header = Smb2Requests.ReadResponseHeader(reply.Span, Smb2Command.SessionSetup);
            if (header.Status != NtStatus.MoreProcessingRequired)
            {
                // NOT_SUPPORTED (and friends) to an NTLM offer: no NTLM, so no NTLM relay whatever the signing state.
                if (header.Status is NtStatus.NotSupported or 0xC000_0022 or 0xC000_006D)
                {
                    _ntlm = header.Status == NtStatus.NotSupported ? false : _ntlm;
                }

                return;
            }

            Smb2SessionSetupResponse response = Smb2SessionSetupResponse.Parse(reply.Span);
            ReadOnlyMemory<byte> token2 = response.SecurityBuffer;
            if (!NtlmMessage.IsNtlmssp(token2.Span))
            {
                NegTokenResp resp = NegTokenResp.Decode(token2.Span);
                token2 = resp.ResponseToken ?? throw new SmbProtocolException("SESSION_SETUP reply carries a NegTokenResp without a responseToken", Smb2SessionSetupResponse.BufferOffset);
            }

            NtlmChallengeMessage challenge = NtlmChallengeMessage.Parse(token2.Span);
            _ntlm = true;
            NtlmTargetInfo? info = challenge.TargetInfo;
            _host = new HostInfo(
                NetbiosName: info?.NbComputerName ?? _host.NetbiosName,
                DnsName: info?.DnsComputerName,
                Domain: info?.NbDomainName ?? challenge.TargetName ?? _host.Domain,
                DnsDomain: info?.DnsDomainName,
                OsVersion: challenge.Version?.ToString());
        }

        /// <summary>Connection B: NT LM 0.12 only. Never throws for peer behaviour; the deadline ends it.</summary>
        private async Task<(Smb1Posture, string?, string?)> ProbeSmb1OnlyAsync(CancellationToken token)
        {
            try
            {
                SmbConnection b = await prober.ConnectAsync(_endPoint!, token).ConfigureAwait(false);
                await using (b.ConfigureAwait(false))
                {
                    ReadOnlyMemory<byte> reply = await b.ExchangeAsync(s_smb1OnlyNegotiate, token).ConfigureAwait(false);
                    if (!Smb1Header.HasSmb1ProtocolId(reply.Span))
                    {
                        return (new Smb1Posture(Enabled: false), null, null);
                    }

                    Smb1NegotiateResponse response = Smb1NegotiateResponse.Parse(reply.Span);
                    if (!response.HasDialect || response.DialectIndex != 0)
                    {
                        return (new Smb1Posture(Enabled: false), null, null);
                    }

                    return (new Smb1Posture(Enabled: true, Signing: response.SigningState, SecurityMode: response.SecurityMode), response.ServerName, response.DomainName);
                }
            }
            catch (SmbTransportException e) when (e.Kind is TransportErrorKind.ConnectionReset or TransportErrorKind.ConnectionClosed or TransportErrorKind.Timeout or TransportErrorKind.Refused)
            {
                return (new Smb1Posture(Enabled: false), null, null);
            }
            catch (OperationCanceledException) when (!outer.IsCancellationRequested)
            {
                // Silence until the deadline: nobody can speak SMB1 to this server, so it is off for every client.
                return (new Smb1Posture(Enabled: false), null, null);
            }
            catch (Exception e) when (e is SmbTransportException or SmbProtocolException || IoErrors.IsNetworkProblem(e))
            {
                return (Smb1Posture.Unknown, null, null);
            }
        }

        private async Task<(IReadOnlyList<Dialect>?, IReadOnlyList<SigningAlgorithm>?)> DeepAsync(CancellationToken token)
        {
            Task<bool?>[] dialectTasks = DialectInfo.Smb2Dialects
                .Select(d => TryNegotiateAsync([d], null, response => response.DialectRevision == d, token))
                .ToArray();
            bool?[] accepted = await Task.WhenAll(dialectTasks).ConfigureAwait(false);
            var dialects = DialectInfo.Smb2Dialects.Where((_, i) => accepted[i] == true).ToList();
            if (!dialects.Contains(Dialect.Smb311))
            {
                return (dialects, null);
            }

            SigningAlgorithm[] candidates = [SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac, SigningAlgorithm.HmacSha256];
            bool?[] algorithmAccepted = await Task.WhenAll(candidates.Select(alg =>
                TryNegotiateAsync([Dialect.Smb311], [alg], response => response.Contexts?.SigningAlgorithms is [var chosen] && chosen == alg, token))).ConfigureAwait(false);
            return (dialects, candidates.Where((_, i) => algorithmAccepted[i] == true).ToList());
        }

        private async Task<bool?> TryNegotiateAsync(IReadOnlyList<Dialect> dialects, IReadOnlyList<SigningAlgorithm>? algorithms, Func<Smb2NegotiateResponse, bool> accepted, CancellationToken token)
        {
            try
            {
                SmbConnection c = await prober.ConnectAsync(_endPoint!, token).ConfigureAwait(false);
                await using (c.ConfigureAwait(false))
                {
                    byte[] request = Smb2NegotiateRequest.CreateProbe(prober.NewClientGuid(), prober.NewSalt(), dialects, algorithms)
                        .ToArray(Smb2Requests.Header(Smb2Command.Negotiate, messageId: 0));
                    ReadOnlyMemory<byte> reply = await c.ExchangeAsync(request, token).ConfigureAwait(false);
                    Smb2Header header = Smb2Requests.ReadResponseHeader(reply.Span, Smb2Command.Negotiate);
                    return header.Status == NtStatus.Success && accepted(Smb2NegotiateResponse.Parse(reply.Span));
                }
            }
            catch (SmbTransportException e) when (e.Kind is TransportErrorKind.ConnectionReset or TransportErrorKind.ConnectionClosed)
            {
                return false;
            }
            catch (Exception e) when (e is SmbTransportException or SmbProtocolException || IoErrors.IsNetworkProblem(e))
            {
                return null;
            }
        }
    }
}
