using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol;
using SmbSign.Wire.Transport;

namespace SmbSign.Wire.Session;

/// <summary>A small SMB client that opens one authenticated session and records every message with its signing
/// state (see docs/design/session.md). One instance can run many sessions; each call is independent.</summary>
public sealed class SmbClientSession
{
    /// <summary>Largest frame accepted from the server: the session never asks for more than 64 KiB at once.</summary>
    private const int MaxFrameSize = 1 << 20;

    private readonly TimeProvider _time;
    private readonly Action<Span<byte>> _random;

    /// <param name="time">Clock for timeouts and the NTLM timestamp fallback.</param>
    /// <param name="random">Source of salts, client challenges, session keys and GUIDs; defaults to the system CSPRNG.
    /// Tests pass a seeded one so runs reproduce.</param>
    public SmbClientSession(TimeProvider time, Action<Span<byte>>? random = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _random = random ?? System.Security.Cryptography.RandomNumberGenerator.Fill;
    }

    /// <summary>Runs NEGOTIATE, SESSION_SETUP, TREE_CONNECT, a few operations, TREE_DISCONNECT and LOGOFF against the
    /// target and returns the report. Expected failures (refused, timeout, logon failure, bad share, a peer that breaks
    /// the protocol) are in <see cref="VerificationReport.Error"/>; a response that fails verification ends the session
    /// and is in <see cref="VerificationReport.Failures"/>. Only <paramref name="cancellationToken"/> throws.</summary>
    public async Task<VerificationReport> VerifyAsync(SmbClientOptions options, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(password);
        var recorder = new SessionRecorder(options);
        if (options.Dialect == Dialect.Smb1 && (options.Kerberos is not null || options.NtHash is not null))
        {
            recorder.Error = new SessionError(SessionErrorKind.Unsupported,
                "Kerberos and NT-hash logons are implemented for SMB 2/3 only; choose a dialect from 2.0.2 to 3.1.1");
            return recorder.ToReport() with { ProbeSkipReason = "the session did not complete" };
        }

        if (options.Kerberos is not null && !OperatingSystem.IsWindows() && Kerberos.GssApi.Api is null)
        {
            // Before any connection: without the library there is nothing to log on with.
            recorder.Error = new SessionError(SessionErrorKind.Kerberos, "Kerberos is not available: " + Kerberos.GssApi.LoadError);
            return recorder.ToReport() with { ProbeSkipReason = "the session did not complete" };
        }

        try
        {
            IPEndPoint endPoint = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
            SmbConnection connection = await SmbConnection.ConnectAsync(endPoint, options.Timeout, _time, MaxFrameSize, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                connection.ReadTimeout = options.Timeout;
                if (options.Dialect == Dialect.Smb1)
                {
                    using var driver = new Smb1SessionDriver(connection, options, password, recorder, _random, _time);
                    await driver.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    using var driver = new Smb2SessionDriver(connection, options, password, recorder, _random, _time);
                    await driver.RunAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (SessionAbortException e)
        {
            recorder.Error = e.Error;
        }
        catch (VerificationStoppedException)
        {
            // Recorded as a failure; the client disconnects ([MS-SMB2] 3.2.5.1.3).
        }
        catch (SmbTransportException e)
        {
            recorder.Error = new SessionError(
                e.Kind == TransportErrorKind.Timeout ? SessionErrorKind.Timeout : SessionErrorKind.Connection,
                $"{options.DisplayTarget}: {e.Message}");
        }
        catch (SmbProtocolException e)
        {
            recorder.Error = new SessionError(SessionErrorKind.Protocol, $"the server's reply does not follow the protocol: {e.Message}");
        }

        VerificationReport report = recorder.ToReport();
        if (!options.ProbeEnforcement)
        {
            return report with { ProbeSkipReason = "the probes were skipped (--no-probe)" };
        }

        if (report.Error is not null || report.Failures.Count > 0)
        {
            return report with { ProbeSkipReason = "the session did not complete" };
        }

        if ((report.SessionFlags & (VerificationReport.SessionFlagGuest | VerificationReport.SessionFlagNull)) != 0)
        {
            return report with { ProbeSkipReason = "the session is guest or anonymous and has no key" };
        }

        // Each probe on its own connection: a server may answer a mis-signed request by disconnecting, and the
        // session that produced the report above stays untouched. The probes ask what the server enforces, so they
        // never require signing themselves: a client that sends SIGNING_REQUIRED makes even a server that does not
        // require signing sign (and check) that session ([MS-SMB2] 3.3.5.5.3).
        SmbClientOptions probeOptions = options with { RequireSigning = false };
        EnforcementProbe unsigned = await ProbeAsync(probeOptions, password, EnforcementProbeKind.Unsigned, cancellationToken).ConfigureAwait(false);
        EnforcementProbe badSignature = await ProbeAsync(probeOptions, password, EnforcementProbeKind.BadSignature, cancellationToken).ConfigureAwait(false);
        return report with { Probes = [unsigned, badSignature] };
    }

    /// <summary>Runs one enforcement probe on a new connection; any failure to set it up is a <see cref="ProbeOutcome.NotRun"/> probe.</summary>
    private async Task<EnforcementProbe> ProbeAsync(SmbClientOptions options, string password, EnforcementProbeKind kind, CancellationToken cancellationToken)
    {
        string command = options.Dialect == Dialect.Smb1 ? "TREE_CONNECT_ANDX" : "ECHO";
        var recorder = new SessionRecorder(options);
        try
        {
            IPEndPoint endPoint = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
            SmbConnection connection = await SmbConnection.ConnectAsync(endPoint, options.Timeout, _time, MaxFrameSize, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                connection.ReadTimeout = options.Timeout;
                if (options.Dialect == Dialect.Smb1)
                {
                    using var driver = new Smb1SessionDriver(connection, options, password, recorder, _random, _time);
                    return await driver.ProbeAsync(kind, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    using var driver = new Smb2SessionDriver(connection, options, password, recorder, _random, _time);
                    return await driver.ProbeAsync(kind, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (SessionAbortException e)
        {
            return new EnforcementProbe(kind, command, ProbeOutcome.NotRun, null, "its session could not be set up: " + e.Error.Message);
        }
        catch (VerificationStoppedException)
        {
            return new EnforcementProbe(kind, command, ProbeOutcome.NotRun, null, "its session could not be set up: a response failed signature verification");
        }
        catch (SmbTransportException e)
        {
            return new EnforcementProbe(kind, command, ProbeOutcome.NotRun, null, $"its connection failed: {e.Message}");
        }
        catch (SmbProtocolException e)
        {
            return new EnforcementProbe(kind, command, ProbeOutcome.NotRun, null, $"the server's reply does not follow the protocol: {e.Message}");
        }
    }

    /// <summary>The target's address: a literal as given, else the first IPv4 (then IPv6) address from DNS; shared by the
    /// verify client and the remote-registry reader.</summary>
    internal static async Task<IPEndPoint> ResolveAsync(SmbClientOptions options, CancellationToken cancellationToken)
    {
        if (options.TargetAddress is { } target)
        {
            return IPAddress.TryParse(target, out IPAddress? given)
                ? new IPEndPoint(given, options.Port)
                : throw new SessionAbortException(new SessionError(SessionErrorKind.Connection, $"--target-ip '{target}' is not an IP address"));
        }

        if (IPAddress.TryParse(options.Host, out IPAddress? address))
        {
            return new IPEndPoint(address, options.Port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(options.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Connection, $"cannot resolve host '{options.Host}': {e.SocketErrorCode}"));
        }

        IPAddress? chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        return chosen is null
            ? throw new SessionAbortException(new SessionError(SessionErrorKind.Connection, $"host '{options.Host}' has no address"))
            : new IPEndPoint(chosen, options.Port);
    }

    internal static string Hex(uint status) => "0x" + status.ToString("X8", CultureInfo.InvariantCulture);
}
