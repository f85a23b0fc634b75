using System.Globalization;
using System.Net;
using SmbSign.Protocol;
using SmbSign.Protocol.Rpc;
using SmbSign.Wire.Session;
using SmbSign.Wire.Transport;

namespace SmbSign.Wire.Rpc;

/// <summary>One HKLM key to read: the named values, or every value when <paramref name="AllValues"/> is set.</summary>
/// <param name="Key">Hive-less HKLM path, e.g. <c>SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters</c>.</param>
/// <param name="ValueNames">Values to query by name (ignored when <paramref name="AllValues"/> is set).</param>
/// <param name="AllValues">Enumerate every value of the key (names not known in advance, e.g. Hardened UNC Paths).</param>
public sealed record RemoteKeyQuery(string Key, IReadOnlyList<string> ValueNames, bool AllValues = false);

/// <summary>A value read: key, name, REG_* type code and raw bytes.</summary>
public sealed record RemoteRegistryEntry(string Key, string ValueName, uint Type, byte[] Data);

/// <summary>A key or value that could not be read (access denied, fault, cap exceeded). Never "not configured".</summary>
public sealed record RemoteReadProblem(string Key, string? ValueName, string Message);

/// <summary>Everything one target answered, or why it could not.</summary>
public sealed record RemoteRegistryResult
{
    /// <summary><c>host</c> or <c>host:port</c> as shown in provenance.</summary>
    public required string Target { get; init; }

    public IReadOnlyList<RemoteRegistryEntry> Values { get; init; } = [];

    /// <summary>Keys that do not exist (every value in them is not configured).</summary>
    public IReadOnlyList<string> MissingKeys { get; init; } = [];

    /// <summary>Keys or values that could not be read.</summary>
    public IReadOnlyList<RemoteReadProblem> Problems { get; init; } = [];

    /// <summary>Why the whole target could not be read (connection, logon, pipe, bind, timeout, protocol), or null.</summary>
    public SessionError? Error { get; init; }

    /// <summary>The SMB session the values were read over, with every message's signing state.</summary>
    public required VerificationReport Session { get; init; }

    public TimeSpan Elapsed { get; init; }
}

/// <summary>
/// Reads registry values of a remote Windows machine the way Windows' own tools do: one authenticated SMB2/3 session
/// to IPC$ that signs every message (the verification client with RequireSigning), the <c>\PIPE\winreg</c> named
/// pipe, DCE/RPC bind to MS-RRP, then OpenLocalMachine, BaseRegOpenKey, BaseRegQueryValue / BaseRegEnumValue and
/// BaseRegCloseKey per key. One target per call; the whole read is bounded by a deadline. Thread-safe (no state).
/// </summary>
public sealed class RemoteRegistryReader
{
    private const int MaxFrameSize = 1 << 20;
    private readonly TimeProvider _time;
    private readonly Action<Span<byte>> _random;

    public RemoteRegistryReader(TimeProvider time, Action<Span<byte>>? random = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _random = random ?? System.Security.Cryptography.RandomNumberGenerator.Fill;
    }

    /// <summary>The DCE/RPC caps and fragment size; tests shrink the fragment size to force multi-fragment requests.</summary>
    internal RpcLimits RpcLimits { get; init; } = RpcLimits.Default;

    /// <summary>Reads <paramref name="keys"/> from the target in <paramref name="options"/> (its Share is forced to IPC$
    /// and RequireSigning to true). Target failures, including the deadline, come back in
    /// <see cref="RemoteRegistryResult.Error"/>; only <paramref name="cancellationToken"/> throws.</summary>
    public async Task<RemoteRegistryResult> ReadAsync(SmbClientOptions options, string password, IReadOnlyList<RemoteKeyQuery> keys, TimeSpan deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(keys);
        options = options with
        {
            Share = "IPC$",
            RequireSigning = true,
            ReadPath = null,
            Timeout = options.Timeout < deadline ? options.Timeout : deadline,
        };
        string target = options.Port == 445 ? FormatHost(options.Host) : FormatHost(options.Host) + ":" + options.Port.ToString(CultureInfo.InvariantCulture);
        long started = _time.GetTimestamp();
        var recorder = new SessionRecorder(options);
        var collector = new Collector();
        using var deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadlineSource.CancelAfter(deadline);
        try
        {
            IPEndPoint endPoint = await SmbClientSession.ResolveAsync(options, deadlineSource.Token).ConfigureAwait(false);
            SmbConnection connection = await SmbConnection.ConnectAsync(endPoint, options.Timeout, _time, MaxFrameSize, deadlineSource.Token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                connection.ReadTimeout = options.Timeout;
                using var driver = new Smb2SessionDriver(connection, options, password, recorder, _random, _time);
                await driver.RunPipeAsync("winreg", (pipe, token) => ReadKeysAsync(pipe, RpcLimits, keys, collector, token), deadlineSource.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            recorder.Error = new SessionError(SessionErrorKind.Timeout, string.Create(CultureInfo.InvariantCulture,
                $"{target}: no complete answer within the {deadline.TotalMilliseconds:0} ms per-target timeout{collector.Progress()}"));
        }
        catch (SessionAbortException e)
        {
            recorder.Error = e.Error.Kind == SessionErrorKind.Timeout && deadlineSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? new SessionError(SessionErrorKind.Timeout, string.Create(CultureInfo.InvariantCulture, $"{target}: no complete answer within the {deadline.TotalMilliseconds:0} ms per-target timeout{collector.Progress()}"))
                : e.Error with { Message = $"{target}: {e.Error.Message}" };
        }
        catch (VerificationStoppedException)
        {
            recorder.Error = new SessionError(SessionErrorKind.Protocol, $"{target}: a response failed SMB signature verification; nothing read over this session is used");
        }
        catch (SmbTransportException e)
        {
            recorder.Error = new SessionError(e.Kind == TransportErrorKind.Timeout ? SessionErrorKind.Timeout : SessionErrorKind.Connection, $"{target}: {e.Message}");
        }
        catch (SmbProtocolException e)
        {
            recorder.Error = new SessionError(SessionErrorKind.Protocol, $"{target}: the server's reply does not follow the protocol: {e.Message}");
        }
        catch (RpcFaultException e)
        {
            recorder.Error = new SessionError(e.IsAccessDenied ? SessionErrorKind.AccessDenied : SessionErrorKind.Protocol, $"{target}: {e.Message}");
        }
        catch (RemoteRegistryException e)
        {
            recorder.Error = new SessionError(e.IsAccessDenied ? SessionErrorKind.AccessDenied : SessionErrorKind.Protocol, $"{target}: {e.Message}");
        }

        SessionError? error = recorder.Error;
        VerificationReport session = recorder.ToReport();
        if (error is null && session.Failures.Count > 0)
        {
            error = new SessionError(SessionErrorKind.Protocol, $"{target}: a response failed SMB signature verification; nothing read over this session is used");
        }

        // A target that failed part-way gives no values at all: a partial read must not look like "not configured".
        return new RemoteRegistryResult
        {
            Target = target,
            Values = error is null ? collector.Values : [],
            MissingKeys = error is null ? collector.MissingKeys : [],
            Problems = error is null ? collector.Problems : [],
            Error = error,
            Session = session,
            Elapsed = _time.GetElapsedTime(started),
        };
    }

    private static async Task ReadKeysAsync(IRpcPipeTransport pipe, RpcLimits limits, IReadOnlyList<RemoteKeyQuery> keys, Collector collector, CancellationToken cancellationToken)
    {
        var rpc = new RpcPipeClient(pipe, limits);
        await rpc.BindAsync(RpcSyntaxId.WinReg, cancellationToken).ConfigureAwait(false);
        collector.Stage = "bound to winreg";
        var registry = new RemoteRegistryClient(rpc);
        RpcContextHandle hklm = await registry.OpenLocalMachineAsync(cancellationToken).ConfigureAwait(false);
        collector.Stage = "opened HKLM";
        foreach (RemoteKeyQuery query in keys)
        {
            collector.Stage = $"reading HKLM\\{query.Key}";
            RpcContextHandle? key;
            try
            {
                key = await registry.OpenKeyAsync(hklm, query.Key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RemoteRegistryException or RpcFaultException)
            {
                collector.Problems.Add(new RemoteReadProblem(query.Key, null, e.Message));
                continue;
            }

            if (key is not { } handle)
            {
                collector.MissingKeys.Add(query.Key);
                continue;
            }

            if (query.AllValues)
            {
                try
                {
                    foreach (RawRegistryValue value in await registry.EnumValuesAsync(handle, query.Key, cancellationToken).ConfigureAwait(false))
                    {
                        collector.Values.Add(new RemoteRegistryEntry(query.Key, value.Name, value.Type, value.Data));
                    }
                }
                catch (Exception e) when (e is RemoteRegistryException or RpcFaultException)
                {
                    collector.Problems.Add(new RemoteReadProblem(query.Key, null, e.Message));
                }
            }

            foreach (string name in query.ValueNames)
            {
                if (query.AllValues)
                {
                    continue;
                }

                try
                {
                    if (await registry.QueryValueAsync(handle, query.Key, name, cancellationToken).ConfigureAwait(false) is { } value)
                    {
                        collector.Values.Add(new RemoteRegistryEntry(query.Key, name, value.Type, value.Data));
                    }
                }
                catch (Exception e) when (e is RemoteRegistryException or RpcFaultException)
                {
                    collector.Problems.Add(new RemoteReadProblem(query.Key, name, e.Message));
                }
            }

            await registry.CloseKeyAsync(handle, cancellationToken).ConfigureAwait(false);
        }

        await registry.CloseKeyAsync(hklm, cancellationToken).ConfigureAwait(false);
        collector.Stage = null;
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;

    private sealed class Collector
    {
        public List<RemoteRegistryEntry> Values { get; } = [];

        public List<string> MissingKeys { get; } = [];

        public List<RemoteReadProblem> Problems { get; } = [];

        /// <summary>How far the read got, for the timeout message.</summary>
        public string? Stage { get; set; } = "connecting";

        public string Progress() => Stage is null ? string.Empty : $" (while {Stage})";
    }
}
