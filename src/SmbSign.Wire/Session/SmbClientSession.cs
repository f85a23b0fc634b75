namespace SmbSign.Wire.Session;

/// <summary>A small SMB client that opens one authenticated session and records every message with its signing
/// state (see docs/design/session.md).</summary>
public sealed class SmbClientSession
{
    private readonly TimeProvider _time;
    private readonly Action<Span<byte>> _random;

    /// <param name="time">Clock for timeouts.</param>
    /// <param name="random">Source of salts, client challenges and GUIDs; defaults to the system CSPRNG. Tests pass a fixed one.</param>
    public SmbClientSession(TimeProvider time, Action<Span<byte>>? random = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _random = random ?? System.Security.Cryptography.RandomNumberGenerator.Fill;
    }

    /// <summary>Runs NEGOTIATE, SESSION_SETUP, TREE_CONNECT, a few operations, TREE_DISCONNECT and LOGOFF against the
    /// target and returns the report. Expected failures (refused, timeout, logon failure…) are in <see cref="VerificationReport.Error"/>.</summary>
    public Task<VerificationReport> VerifyAsync(SmbClientOptions options, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(password);
        _ = _time;
        _ = _random;
        cancellationToken.ThrowIfCancellationRequested();

        // Work in progress on this branch: the protocol driver lands once the shared crypto and codec branches are merged.
        return Task.FromResult(new VerificationReport
        {
            Target = options.DisplayTarget,
            ClientRequiresSigning = options.RequireSigning,
            Error = new SessionError(SessionErrorKind.Unsupported, "the session driver is not built yet on this branch"),
        });
    }
}
