using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol;
using SmbSign.Protocol.Security.Ntlmssp;
using SmbSign.Protocol.Security.Spnego;
using SmbSign.Protocol.Smb1;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;
using SmbSign.Protocol.Smb2.SessionSetup;

namespace SmbSign.TestServers;

/// <summary>What a <see cref="LoopbackSmbResponder"/> pretends to be.</summary>
public sealed record ResponderProfile
{
    public Dialect MaxDialect { get; init; } = Dialect.Smb311;

    public Smb2SecurityMode Smb2SecurityMode { get; init; } = Smb2SecurityMode.SigningEnabled;

    /// <summary>Null: SMB1 is off (an SMB1-only NEGOTIATE gets the connection closed).</summary>
    public Smb1SecurityMode? Smb1SecurityMode { get; init; }

    public SigningAlgorithm SigningAlgorithm { get; init; } = SigningAlgorithm.AesCmac;

    public string NetbiosName { get; init; } = "RESPONDER";

    public string Domain { get; init; } = "LOOPBACK";
}

/// <summary>A minimal, fast SMB server for tests and benchmarks, built on SmbSign's own codec writers: answers the SMB1
/// multi-protocol NEGOTIATE (0x02FF), an SMB2 NEGOTIATE (with 3.1.1 contexts), an SMB1-only NEGOTIATE (when SMB1 is on)
/// and an NTLMSSP SESSION_SETUP (a CHALLENGE with target info). Listens only on the loopback addresses it is given.
/// Built to cost the benchmark as little as possible, so that the benchmark measures the scanner: each distinct reply is
/// encoded once and cached (only the MessageId, or the SMB1 PID/MID, is patched per request), each connection owns one
/// receive and one send buffer, requests that arrive together are answered with one send, and sockets are used directly.</summary>
public sealed class LoopbackSmbResponder : IAsyncDisposable
{
    private const int BufferSize = 2048;
    private const int MaxRequestSize = 64 * 1024;

    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ResponderProfile _profile;
    private readonly ConcurrentDictionary<ReplyKey, byte[]> _replies = new();
    private long _connections;
    private long _closed;

    private LoopbackSmbResponder(ResponderProfile profile)
    {
        _profile = profile;
    }

    public int Port { get; private set; }

    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Connections that have ended (the client closed or was refused): a test on a fake clock waits for its
    /// healthy probes to finish before it moves the clock.</summary>
    public long ClosedConnections => Interlocked.Read(ref _closed);

    /// <summary>Listens on each of <paramref name="addresses"/> (all must be loopback) at <paramref name="port"/> (0 = pick one, shared by all).</summary>
    public static LoopbackSmbResponder Start(IEnumerable<IPAddress> addresses, int port = 0, ResponderProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var responder = new LoopbackSmbResponder(profile ?? new ResponderProfile());
        foreach (IPAddress address in addresses)
        {
            if (!IPAddress.IsLoopback(address))
            {
                throw new ArgumentException($"{address} is not a loopback address.", nameof(addresses));
            }

            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(4096);
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            responder._listeners.Add(listener);
            _ = responder.AcceptLoopAsync(listener);
        }

        responder.Port = port;
        return responder;
    }

    public static LoopbackSmbResponder Start(ResponderProfile? profile = null) => Start([IPAddress.Loopback], 0, profile);

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        byte[] input = new byte[BufferSize];
        byte[] output = new byte[BufferSize];
        int filled = 0;
        try
        {
            while (true)
            {
                int read = await client.ReceiveAsync(input.AsMemory(filled), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                int consumed = 0;
                int produced = 0;
                bool close = false;
                while (!close && filled - consumed >= 4)
                {
                    int length = (input[consumed + 1] << 16) | (input[consumed + 2] << 8) | input[consumed + 3];
                    if (input[consumed] != 0 || length > MaxRequestSize)
                    {
                        close = true;
                        break;
                    }

                    if (4 + length > input.Length - consumed)
                    {
                        // A request larger than the rest of the buffer: move it to the front of a buffer that fits it.
                        byte[] bigger = new byte[Math.Max(input.Length, 4 + length)];
                        Buffer.BlockCopy(input, consumed, bigger, 0, filled - consumed);
                        filled -= consumed;
                        consumed = 0;
                        input = bigger;
                    }

                    if (filled - consumed < 4 + length)
                    {
                        break;
                    }

                    byte[]? frame = Answer(input.AsSpan(consumed + 4, length), out Patch patch);
                    consumed += 4 + length;
                    if (frame is null)
                    {
                        close = true;
                        break;
                    }

                    if (output.Length - produced < frame.Length)
                    {
                        Array.Resize(ref output, Math.Max(output.Length * 2, produced + frame.Length));
                    }

                    Span<byte> destination = output.AsSpan(produced, frame.Length);
                    frame.CopyTo(destination);
                    patch.Apply(destination[4..]);
                    produced += frame.Length;
                }

                if (produced > 0)
                {
                    await client.SendAsync(output.AsMemory(0, produced), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }

                if (close)
                {
                    return;
                }

                Buffer.BlockCopy(input, consumed, input, 0, filled - consumed);
                filled -= consumed;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or SmbProtocolException or ObjectDisposedException)
        {
            // Client went away or sent something this responder does not answer.
        }
        finally
        {
            client.Dispose();
            Interlocked.Increment(ref _closed);
        }
    }

    /// <summary>The framed reply to one request (a cached template; <paramref name="patch"/> fills in the request's
    /// identifiers), or null to close the connection.</summary>
    private byte[]? Answer(ReadOnlySpan<byte> message, out Patch patch)
    {
        patch = default;
        if (Smb1Header.HasSmb1ProtocolId(message))
        {
            Smb1NegotiateRequest request = Smb1NegotiateRequest.Parse(message);
            if (request.Dialects.Contains(Smb1NegotiateRequest.Smb2Wildcard) && _profile.MaxDialect != Dialect.Smb1)
            {
                // The 0x02FF response always carries MessageId 0: nothing to patch.
                return _replies.GetOrAdd(new ReplyKey(ReplyKind.Smb2Wildcard), _ => Frame(NegotiateResponse(Dialect.Smb2Wildcard, messageId: 0, null)));
            }

            if (_profile.Smb1SecurityMode is not { } mode || !request.Dialects.Contains(Smb1NegotiateRequest.NtLm012))
            {
                return null;
            }

            int index = request.Dialects.ToList().IndexOf(Smb1NegotiateRequest.NtLm012);
            patch = Patch.Smb1(request.ProcessId, request.MultiplexId);
            return _replies.GetOrAdd(new ReplyKey(ReplyKind.Smb1Negotiate, DialectIndex: index), key => Frame(new Smb1NegotiateResponse
            {
                Flags2 = Smb1Flags2.Unicode | Smb1Flags2.NtStatus | Smb1Flags2.LongNames,
                DialectIndex = (ushort)key.DialectIndex,
                SecurityMode = mode,
                MaxMpxCount = 50,
                MaxNumberVcs = 1,
                MaxBufferSize = 16644,
                MaxRawSize = 65536,
                Capabilities = Smb1Capabilities.Unicode | Smb1Capabilities.NtStatus | Smb1Capabilities.NtSmbs | Smb1Capabilities.LargeFiles,
                Challenge = new byte[8],
                DomainName = _profile.Domain,
                ServerName = _profile.NetbiosName,
            }.ToArray(0, 0)));
        }

        Smb2Header header = Smb2Header.Read(message);
        patch = Patch.Smb2(header.MessageId);
        if (header.Command == Smb2Command.Negotiate)
        {
            Smb2NegotiateRequest request = Smb2NegotiateRequest.Parse(message);
            Dialect chosen = request.Dialects.Where(d => d <= _profile.MaxDialect && d != Dialect.Smb2Wildcard).DefaultIfEmpty((Dialect)0).Max();
            if (chosen == 0)
            {
                return null;
            }

            Smb2NegotiateContexts? offered = chosen == Dialect.Smb311 ? request.Contexts : null;
            var key = new ReplyKey(
                ReplyKind.Smb2Negotiate,
                chosen,
                Contexts: offered is not null,
                Cipher: offered?.Ciphers is { Count: > 0 } ciphers ? ciphers[0] : null,
                Signing: offered?.SigningAlgorithms?.Contains(_profile.SigningAlgorithm) == true);
            return _replies.GetOrAdd(key, k => Frame(NegotiateResponse(k, messageId: 0)));
        }

        if (header.Command == Smb2Command.SessionSetup)
        {
            return _replies.GetOrAdd(new ReplyKey(ReplyKind.SessionSetup), _ => Frame(SessionSetupResponse()));
        }

        return null;
    }

    private byte[] SessionSetupResponse()
    {
        var challenge = new NtlmChallengeMessage
        {
            TargetName = _profile.Domain,
            Flags = NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.Ntlm | NtlmNegotiateFlags.TargetInfo | NtlmNegotiateFlags.Version | NtlmNegotiateFlags.ExtendedSessionSecurity,
            ServerChallenge = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 },
            TargetInfo = NtlmTargetInfo.FromNames(
                (NtlmAvId.NbDomainName, _profile.Domain),
                (NtlmAvId.NbComputerName, _profile.NetbiosName),
                (NtlmAvId.DnsDomainName, _profile.Domain.ToLowerInvariant() + ".test"),
                (NtlmAvId.DnsComputerName, _profile.NetbiosName.ToLowerInvariant() + "." + _profile.Domain.ToLowerInvariant() + ".test")),
            Version = new NtlmVersion(10, 0, 20348),
        }.ToArray();
        byte[] token = new NegTokenResp { NegState = SpnegoNegState.AcceptIncomplete, SupportedMech = SpnegoMechanisms.Ntlmssp, ResponseToken = challenge }.Encode();
        return new Smb2SessionSetupResponse { Status = NtStatus.MoreProcessingRequired, SessionId = 0x1000_0000_0000_0001, SecurityBuffer = token }.ToArray(0);
    }

    private static byte[] Frame(byte[] message)
    {
        byte[] frame = new byte[message.Length + 4];
        frame[1] = (byte)(message.Length >> 16);
        frame[2] = (byte)(message.Length >> 8);
        frame[3] = (byte)message.Length;
        message.CopyTo(frame, 4);
        return frame;
    }

    private byte[] NegotiateResponse(ReplyKey key, ulong messageId)
    {
        Smb2NegotiateContexts? contexts = null;
        if (key.Contexts)
        {
            contexts = new Smb2NegotiateContexts
            {
                PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
                PreauthSalt = new byte[32],
                Ciphers = key.Cipher is { } cipher ? [cipher] : null,
                SigningAlgorithms = key.Signing ? [_profile.SigningAlgorithm] : null,
            };
        }

        return NegotiateResponse(key.Dialect, messageId, contexts);
    }

    private byte[] NegotiateResponse(Dialect dialect, ulong messageId, Smb2NegotiateContexts? contexts)
    {
        byte[] mechs = new NegTokenInit { MechTypes = [SpnegoMechanisms.Ntlmssp], HintName = "not_defined_in_RFC4178@please_ignore" }.Encode();
        Span<byte> guid = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(guid, 0x5245_5350_4F4E_4445);
        return new Smb2NegotiateResponse
        {
            SecurityMode = _profile.Smb2SecurityMode,
            DialectRevision = dialect,
            ServerGuid = new Guid(guid),
            Capabilities = Smb2Capabilities.Dfs | Smb2Capabilities.LargeMtu,
            MaxTransactSize = 8 << 20,
            MaxReadSize = 8 << 20,
            MaxWriteSize = 8 << 20,
            SystemTime = 133_000_000_000_000_000,
            SecurityBuffer = mechs,
            Contexts = contexts,
        }.ToArray(Smb2Requests.ResponseHeader(Smb2Command.Negotiate, messageId, NtStatus.Success));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Socket listener in _listeners)
        {
            listener.Dispose();
        }

        _stop.Dispose();
    }

    private enum ReplyKind
    {
        Smb2Wildcard,
        Smb1Negotiate,
        Smb2Negotiate,
        SessionSetup,
    }

    /// <summary>Everything a reply depends on besides the request's identifiers.</summary>
    private readonly record struct ReplyKey(
        ReplyKind Kind, Dialect Dialect = 0, int DialectIndex = 0, bool Contexts = false, EncryptionCipher? Cipher = null, bool Signing = false);

    /// <summary>The per-request identifiers written into a cached reply: SMB2 MessageId, or SMB1 PID and MID.</summary>
    private readonly record struct Patch(bool IsSmb1, ulong MessageId, ushort ProcessId, ushort MultiplexId)
    {
        public static Patch Smb2(ulong messageId) => new(false, messageId, 0, 0);

        public static Patch Smb1(ushort processId, ushort multiplexId) => new(true, 0, processId, multiplexId);

        public void Apply(Span<byte> message)
        {
            if (IsSmb1)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(message[26..], ProcessId);
                BinaryPrimitives.WriteUInt16LittleEndian(message[30..], MultiplexId);
            }
            else if (message.Length >= Smb2Header.Size)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(message[Smb2Header.MessageIdOffset..], MessageId);
            }
        }
    }
}
