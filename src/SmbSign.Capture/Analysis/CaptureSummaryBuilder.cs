using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using SmbSign.Protocol.Buffers;
using SmbSign.Protocol.Smb2;
using SmbSign.Capture.Smb;
using SmbSign.Capture.Tcp;

namespace SmbSign.Capture.Analysis;

/// <summary>Collects per-connection and per-session counts from the message stream: dialect and SecurityMode of both
/// sides (read from the NEGOTIATE messages by <see cref="NegotiatedSigning"/>), SessionFlags of the final SESSION_SETUP
/// response, SIGNED/unsigned/encrypted counts, and which messages had to be signed but were not. With
/// <see cref="CaptureCredentials"/> its <see cref="SessionTracker"/> also verifies every signed message; without them
/// the tracker still reads user, domain, authentication mechanism and signing algorithm. The counts live in the
/// builder's own tallies; <see cref="Build"/> turns them into the write-once <see cref="CaptureSummary"/>.</summary>
public sealed class CaptureSummaryBuilder : ISmbCaptureSink
{
    private const ushort Smb1CommandNegotiate = 0x72;
    private const ushort Smb1CommandSessionSetupAndX = 0x73;

    private readonly List<ConnectionTally> _connections = [];
    private readonly Dictionary<TcpConnectionInfo, ConnectionTally> _byConnection = new(ReferenceEqualityComparer.Instance);
    private readonly List<CaptureSource> _sources = [];
    private readonly SessionTracker _tracker;
    private string? _source;
    private ConnectionTally? _last;
    private long _gaps;
    private long _gapBytes;

    /// <summary>A builder that counts only (no credentials) or, with <paramref name="credentials"/>, also verifies
    /// signatures. The builder does not own the credentials.</summary>
    public CaptureSummaryBuilder(CaptureCredentials? credentials = null)
    {
        _tracker = new SessionTracker(credentials);
    }

    /// <summary>Names the file whose messages follow (connections remember it).</summary>
    public void BeginSource(string source) => _source = source;

    /// <summary>Records the finished run of the current file.</summary>
    public void EndSource(CaptureRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _sources.Add(new CaptureSource(_source ?? "-", run));
        foreach (ConnectionTally connection in _byConnection.Values)
        {
            SessionTracker.OnConnectionClosed(connection);
        }

        _byConnection.Clear();
        _last = null;
    }

    public void OnMessage(in CapturedSmbMessage message)
    {
        ConnectionTally connection = Get(message.Connection);
        connection.Messages++;
        switch (message.Kind)
        {
            case SmbMessageKind.Smb2:
                OnSmb2(connection, message);
                break;
            case SmbMessageKind.Smb2Encrypted:
                connection.Encrypted++;
                SessionTally encrypted = connection.Session(message.SessionId, message.FrameNumber);
                encrypted.Messages++;
                encrypted.Encrypted++;
                break;
            case SmbMessageKind.Smb2Compressed:
                connection.Compressed++;
                break;
            default:
                OnSmb1(connection, message);
                break;
        }
    }

    public void OnStreamEvent(in CaptureStreamEvent streamEvent)
    {
        ConnectionTally connection = Get(streamEvent.Connection);
        switch (streamEvent.Kind)
        {
            case CaptureStreamEventKind.Gap:
                SessionTracker.OnFrameLost(connection);
                connection.Gaps++;
                connection.GapBytes += streamEvent.ByteCount;
                _gaps++;
                _gapBytes += streamEvent.ByteCount;
                break;
            case CaptureStreamEventKind.FrameLost:
            case CaptureStreamEventKind.IncompleteFrameAtEnd:
            case CaptureStreamEventKind.MalformedMessage:
                connection.UnreadableFrames++;
                SessionTracker.OnFrameLost(connection);
                break;
            case CaptureStreamEventKind.Resynchronised:
                SessionTracker.OnFrameLost(connection);
                break;
        }
    }

    /// <summary>Frees the connection's verification state (keys, copies of NEGOTIATE); its counts stay.</summary>
    public void OnConnectionClosed(TcpConnectionInfo connection)
    {
        if (_byConnection.TryGetValue(connection, out ConnectionTally? tally))
        {
            SessionTracker.OnConnectionClosed(tally);
        }
    }

    /// <summary>The report so far, with findings: a snapshot of the counts, which later messages do not change.</summary>
    public CaptureSummary Build()
    {
        bool verifying = _tracker.Verifying;
        ImmutableArray<ConnectionSummary> connections = [.. _connections.Select(c => c.ToSummary(verifying))];
        ImmutableArray<CaptureSource> sources = [.. _sources];
        IReadOnlyList<CaptureFinding> findings = CaptureFindings.For(sources, connections, _gaps, _gapBytes, verifying);
        return new CaptureSummary(sources, connections, findings, _gaps, _gapBytes) { Verifying = verifying };
    }

    /// <summary>"0x00000000c7f64283", as Wireshark shows smb2.sesid.</summary>
    public static string FormatSessionId(ulong sessionId) => "0x" + sessionId.ToString("x16", CultureInfo.InvariantCulture);

    private ConnectionTally Get(TcpConnectionInfo info)
    {
        if (_last is not null && ReferenceEquals(_last.Connection, info))
        {
            return _last;
        }

        if (!_byConnection.TryGetValue(info, out ConnectionTally? tally))
        {
            tally = new ConnectionTally(info, _source);
            _byConnection.Add(info, tally);
            _connections.Add(tally);
        }

        _last = tally;
        return tally;
    }

    private void OnSmb2(ConnectionTally connection, in CapturedSmbMessage message)
    {
        Smb2Header header = message.Smb2Header;
        bool signed = header.IsSigned;
        if (signed)
        {
            connection.Signed++;
        }
        else
        {
            connection.Unsigned++;
        }

        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        if (header.Command == Smb2Command.Negotiate)
        {
            NegotiatedSigning.ReadSmb2Negotiate(connection, bytes, message.IsResponse);
            _tracker.OnSmb2(connection, null, message);
            return;
        }

        if (header.SessionId == 0)
        {
            _tracker.OnSmb2(connection, null, message);
            return;
        }

        SessionTally session = connection.Session(header.SessionId, message.FrameNumber);
        session.Messages++;
        if (signed)
        {
            session.Signed++;
        }
        else
        {
            session.Unsigned++;
        }

        if (header.Command == Smb2Command.SessionSetup && message.IsResponse && header.Status == NtStatus.Success)
        {
            // [MS-SMB2] 2.2.6: StructureSize(2) @64, SessionFlags(2) @66.
            var reader = new SmbReader(bytes, "SESSION_SETUP response", Smb2Header.Size + 2);
            if (reader.Remaining >= 2)
            {
                ushort flags = reader.ReadUInt16();
                session.Guest = (flags & 0x0001) != 0;
                session.Anonymous = (flags & 0x0002) != 0;
                session.Established = true;
                session.UnsignedWhileRequired ??= 0;
            }
        }

        if (!signed && NegotiatedSigning.MustBeSigned(connection, session, message))
        {
            session.CountUnsignedWhileRequired(message.FrameNumber);
        }

        _tracker.OnSmb2(connection, session, message);
    }

    private void OnSmb1(ConnectionTally connection, in CapturedSmbMessage message)
    {
        connection.Smb1Messages++;
        Smb1HeaderFields header = message.Smb1Header;
        bool signed = message.IsSigned;
        if (signed)
        {
            connection.Signed++;
        }
        else
        {
            connection.Unsigned++;
        }

        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        if (header.Command == Smb1CommandNegotiate)
        {
            NegotiatedSigning.ReadSmb1Negotiate(connection, header, bytes);
            return;
        }

        if (!header.IsReply && (header.Flags2 & Smb1HeaderFields.Flags2SecuritySignatureRequired) != 0)
        {
            connection.ClientRequiresSigning = true;
        }

        if (header.UserId == 0)
        {
            _tracker.OnSmb1(connection, null, message);
            return;
        }

        SessionTally session = connection.Session(header.UserId, message.FrameNumber);
        session.Messages++;
        if (signed)
        {
            session.Signed++;
        }
        else
        {
            session.Unsigned++;
        }

        // [MS-CIFS] 2.2.4.53.2: WordCount(1) @32 (3 or 4), AndXCommand(1), AndXReserved(1), AndXOffset(2), Action(2) @37.
        if (header.Command == Smb1CommandSessionSetupAndX && header.IsReply && header.Status == NtStatus.Success
            && bytes.Length >= 39 && bytes[32] is 3 or 4)
        {
            session.Guest = (BinaryPrimitives.ReadUInt16LittleEndian(bytes[37..]) & 0x0001) != 0;
            session.Established = true;
        }

        _tracker.OnSmb1(connection, session, message);
    }
}
