using System.Buffers.Binary;
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
/// and an NTLMSSP SESSION_SETUP (a CHALLENGE with target info). Listens only on the loopback addresses it is given.</summary>
public sealed class LoopbackSmbResponder : IAsyncDisposable
{
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ResponderProfile _profile;
    private long _connections;

    private LoopbackSmbResponder(ResponderProfile profile)
    {
        _profile = profile;
    }

    public int Port { get; private set; }

    public long Connections => Interlocked.Read(ref _connections);

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
        using var stream = new NetworkStream(client, ownsSocket: true);
        byte[] prefix = new byte[4];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(prefix, _stop.Token).ConfigureAwait(false);
                int length = (prefix[1] << 16) | (prefix[2] << 8) | prefix[3];
                byte[] message = new byte[length];
                await stream.ReadExactlyAsync(message, _stop.Token).ConfigureAwait(false);
                byte[]? reply = Answer(message);
                if (reply is null)
                {
                    return;
                }

                byte[] frame = new byte[reply.Length + 4];
                frame[1] = (byte)(reply.Length >> 16);
                frame[2] = (byte)(reply.Length >> 8);
                frame[3] = (byte)reply.Length;
                reply.CopyTo(frame, 4);
                await stream.WriteAsync(frame, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or EndOfStreamException or SmbProtocolException or ObjectDisposedException)
        {
            // Client went away or sent something this responder does not answer.
        }
    }

    private byte[]? Answer(byte[] message)
    {
        if (Smb1Header.HasSmb1ProtocolId(message))
        {
            Smb1NegotiateRequest request = Smb1NegotiateRequest.Parse(message);
            if (request.Dialects.Contains(Smb1NegotiateRequest.Smb2Wildcard) && _profile.MaxDialect != Dialect.Smb1)
            {
                return NegotiateResponse(Dialect.Smb2Wildcard, messageId: 0, null);
            }

            if (_profile.Smb1SecurityMode is not { } mode || !request.Dialects.Contains(Smb1NegotiateRequest.NtLm012))
            {
                return null;
            }

            return new Smb1NegotiateResponse
            {
                Flags2 = Smb1Flags2.Unicode | Smb1Flags2.NtStatus | Smb1Flags2.LongNames,
                DialectIndex = (ushort)request.Dialects.ToList().IndexOf(Smb1NegotiateRequest.NtLm012),
                SecurityMode = mode,
                MaxMpxCount = 50,
                MaxNumberVcs = 1,
                MaxBufferSize = 16644,
                MaxRawSize = 65536,
                Capabilities = Smb1Capabilities.Unicode | Smb1Capabilities.NtStatus | Smb1Capabilities.NtSmbs | Smb1Capabilities.LargeFiles,
                Challenge = new byte[8],
                DomainName = _profile.Domain,
                ServerName = _profile.NetbiosName,
            }.ToArray(request.ProcessId, request.MultiplexId);
        }

        Smb2Header header = Smb2Header.Read(message);
        if (header.Command == Smb2Command.Negotiate)
        {
            Smb2NegotiateRequest request = Smb2NegotiateRequest.Parse(message);
            Dialect chosen = request.Dialects.Where(d => d <= _profile.MaxDialect && d != Dialect.Smb2Wildcard).DefaultIfEmpty((Dialect)0).Max();
            return chosen == 0 ? null : NegotiateResponse(chosen, header.MessageId, request);
        }

        if (header.Command == Smb2Command.SessionSetup)
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
            return new Smb2SessionSetupResponse { Status = NtStatus.MoreProcessingRequired, SessionId = 0x1000_0000_0000_0001, SecurityBuffer = token }.ToArray(header.MessageId);
        }

        return null;
    }

    private byte[] NegotiateResponse(Dialect dialect, ulong messageId, Smb2NegotiateRequest? request)
    {
        Smb2NegotiateContexts? contexts = null;
        if (dialect == Dialect.Smb311 && request?.Contexts is { } offered)
        {
            SigningAlgorithm? signing = offered.SigningAlgorithms?.Contains(_profile.SigningAlgorithm) == true ? _profile.SigningAlgorithm : null;
            contexts = new Smb2NegotiateContexts
            {
                PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
                PreauthSalt = new byte[32],
                Ciphers = offered.Ciphers is { Count: > 0 } c ? [c[0]] : null,
                SigningAlgorithms = signing is { } s ? [s] : null,
            };
        }

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
}
