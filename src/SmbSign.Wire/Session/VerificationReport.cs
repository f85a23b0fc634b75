using System.Globalization;
using SmbSign.Protocol;

namespace SmbSign.Wire.Session;

/// <summary>The outcome of one <c>smbsign verify</c> session: what was negotiated, every message with its signing
/// state, the failures, and the verdict. Immutable; built by <see cref="SmbClientSession"/>.</summary>
public sealed record VerificationReport
{
    /// <summary>[MS-SMB2] 2.2.6 SessionFlags (SMB1: Action bit 0 maps to <see cref="SessionFlagGuest"/>).</summary>
    public const ushort SessionFlagGuest = 0x0001;
    public const ushort SessionFlagNull = 0x0002;
    public const ushort SessionFlagEncryptData = 0x0004;

    /// <summary>The target as <c>//host:port/share</c>.</summary>
    public required string Target { get; init; }

    /// <summary>The negotiated dialect, null when NEGOTIATE did not complete.</summary>
    public Dialect? Dialect { get; init; }

    /// <summary>The algorithm the session signs with, null before a dialect was negotiated.</summary>
    public SigningAlgorithm? SigningAlgorithm { get; init; }

    /// <summary>Raw SessionFlags of the final SESSION_SETUP response.</summary>
    public ushort SessionFlags { get; init; }

    /// <summary>True when the server's NEGOTIATE SecurityMode had SIGNING_REQUIRED (SMB1: SECURITY_SIGNATURES_REQUIRED).</summary>
    public bool ServerRequiresSigning { get; init; }

    /// <summary>True when the client asked for signing to be required (--require-signing).</summary>
    public bool ClientRequiresSigning { get; init; }

    /// <summary>True when the session signs every message (Session.SigningRequired, or SMB1 signing active).</summary>
    public bool SessionSigningRequired { get; init; }

    public IReadOnlyList<MessageRecord> Messages { get; init; } = [];

    /// <summary>What the session did on the share, in words ("listed 3 entries in \\", "read 38 bytes from hello.txt").</summary>
    public IReadOnlyList<string> Operations { get; init; } = [];

    /// <summary>The bytes read from <see cref="SmbClientOptions.ReadPath"/>, when one was given and the read succeeded.</summary>
    public ReadOnlyMemory<byte> ReadData { get; init; }

    /// <summary>"ntlm" or "kerberos": how the session authenticated.</summary>
    public string Authentication { get; init; } = "ntlm";

    /// <summary>Kerberos: the encryption type of the context's session key (e.g. aes256-cts-hmac-sha1-96, rc4-hmac),
    /// null for NTLM or when the platform does not say.</summary>
    public string? KerberosSessionKeyType { get; init; }

    /// <summary>Kerberos: the length of the context's session key in bytes (32 for AES-256); SMB uses its first 16
    /// ([MS-SMB2] 3.2.5.3.1). 0 for NTLM.</summary>
    public int KerberosSessionKeyLength { get; init; }

    /// <summary>Kerberos: the client principal the session ran as, when the platform says.</summary>
    public string? ClientPrincipal { get; init; }

    /// <summary>Set when the session could not complete.</summary>
    public SessionError? Error { get; init; }

    /// <summary>"guest", "anonymous", "encrypt" for the bits set in <see cref="SessionFlags"/>.</summary>
    public IReadOnlyList<string> SessionFlagNames
    {
        get
        {
            var names = new List<string>();
            if ((SessionFlags & SessionFlagGuest) != 0)
            {
                names.Add("guest");
            }

            if ((SessionFlags & SessionFlagNull) != 0)
            {
                names.Add("anonymous");
            }

            if ((SessionFlags & SessionFlagEncryptData) != 0)
            {
                names.Add("encrypt");
            }

            return names;
        }
    }

    public int SignedCount => Messages.Count(m => m.Signed);

    public int VerifiedCount => Messages.Count(m => m.Verified == true);

    /// <summary>Responses that failed verification or came unsigned although they had to be signed.</summary>
    public IReadOnlyList<VerificationFailure> Failures =>
        [.. Messages.Where(m => m.Verified == false).Select(m => new VerificationFailure(m.Command, m.Direction, m.MessageId, m.Note ?? "signature did not verify"))];

    /// <summary>The enforcement probes, in the order sent; null when they were not run (see <see cref="ProbeSkipReason"/>).</summary>
    public IReadOnlyList<EnforcementProbe>? Probes { get; init; }

    /// <summary>Why the probes were not run (--no-probe, the session did not complete, no session key); null when they ran.</summary>
    public string? ProbeSkipReason { get; init; }

    /// <summary>True only when the server requires signing, the session completed, every message after authentication was
    /// signed and every response verified, and the server refused both an unsigned and a wrongly signed request.</summary>
    public bool Enforced => Verdict().Verdict == EnforcementVerdict.Enforced;

    /// <summary>Enforced, not enforced, or untested (everything held but the probes did not run, so nobody knows
    /// whether the server would also serve a client that does not sign).</summary>
    public EnforcementVerdict EnforcementVerdict => Verdict().Verdict;

    /// <summary>Why the session is or is not enforced, in one sentence.</summary>
    public string Reason => Verdict().Reason;

    private (EnforcementVerdict Verdict, string Reason) Verdict()
    {
        if (Failures.Count > 0)
        {
            VerificationFailure first = Failures[0];
            return (EnforcementVerdict.NotEnforced, string.Create(CultureInfo.InvariantCulture,
                $"verification failed for {first.Command} {Lower(first.Direction)} (MessageId {first.MessageId}): {first.Reason}; the session is not trusted"));
        }

        if (Error is not null)
        {
            return (EnforcementVerdict.NotEnforced, "the session did not complete: " + Error.Message);
        }

        MessageRecord[] after = [.. Messages.Where(m => m.MustBeSigned)];
        if (after.Length == 0)
        {
            return (EnforcementVerdict.NotEnforced, "no message after authentication was exchanged");
        }

        MessageRecord[] unsigned = [.. after.Where(m => !m.Signed)];
        if (unsigned.Length > 0)
        {
            string why = ServerRequiresSigning || ClientRequiresSigning
                ? "although signing was required"
                : "the server does not require signing and the client did not require it";
            return (EnforcementVerdict.NotEnforced, string.Create(CultureInfo.InvariantCulture,
                $"{unsigned.Length} of {after.Length} messages after authentication were not signed (first: {unsigned[0].Command} {Lower(unsigned[0].Direction)}, MessageId {unsigned[0].MessageId}); {why}"));
        }

        string signedAll = string.Create(CultureInfo.InvariantCulture, $"all {after.Length} messages after authentication were signed and every response verified");
        if (!ServerRequiresSigning)
        {
            // Signed, but only because of this client: a client that does not sign gets an unsigned session.
            string because = ClientRequiresSigning
                ? "signed because this client required it"
                : Dialect == Protocol.Dialect.Smb1
                    ? "signed because SMB1 signs whenever both sides enable signing"
                    : "signed although neither side required it";
            return (EnforcementVerdict.NotEnforced,
                $"{signedAll}, but the server does not require signing ({because}): a client that does not sign is served unsigned{ProbeSummary()}");
        }

        if (Probes is null)
        {
            return (EnforcementVerdict.Untested,
                $"{signedAll} and the server advertises that it requires signing, but enforcement is untested: {ProbeSkipReason ?? "the probes were not run"}");
        }

        if (Probes.FirstOrDefault(p => p.Outcome == ProbeOutcome.NotRun) is { } notRun)
        {
            return (EnforcementVerdict.Untested,
                $"{signedAll} and the server advertises that it requires signing, but the {notRun.KindName} probe could not run: {notRun.Detail}");
        }

        if (Probes.FirstOrDefault(p => !p.Rejected) is { } accepted)
        {
            return (EnforcementVerdict.NotEnforced,
                $"the server advertises that it requires signing, but {accepted.Detail}");
        }

        return (EnforcementVerdict.Enforced,
            $"{signedAll}; the server requires signing and refused {string.Join(" and ", Probes.Select(p => (p.Kind == EnforcementProbeKind.Unsigned ? "an unsigned " : "a wrongly signed ") + p.Command + " (" + RejectedHow(p) + ")"))}");
    }

    private string ProbeSummary()
    {
        EnforcementProbe? unsignedProbe = Probes?.FirstOrDefault(p => p.Kind == EnforcementProbeKind.Unsigned);
        return unsignedProbe is null ? string.Empty : "; " + unsignedProbe.Detail;
    }

    private static string RejectedHow(EnforcementProbe probe) => probe.Outcome switch
    {
        ProbeOutcome.ErrorStatus => NtStatusNames.Name(probe.Status!.Value) ?? NtStatusNames.Describe(probe.Status!.Value),
        ProbeOutcome.Disconnected => "disconnected",
        _ => "no answer",
    };

    private static string Lower(MessageDirection direction) => direction == MessageDirection.Request ? "request" : "response";
}

/// <summary>The verdict of a verification session.</summary>
public enum EnforcementVerdict
{
    /// <summary>The server requires signing, everything was signed and verified, and it refused both probes.</summary>
    Enforced,

    /// <summary>Something was unsigned or unverified, the server does not require signing, or it served a probe.</summary>
    NotEnforced,

    /// <summary>Everything held, but the probes did not run: whether the server would refuse an unsigned client is unknown.</summary>
    Untested,
}
