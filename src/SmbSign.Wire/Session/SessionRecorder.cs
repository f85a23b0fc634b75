using SmbSign.Protocol;

namespace SmbSign.Wire.Session;

/// <summary>Collects what a session driver learns and every message it exchanges; turns into the immutable report.</summary>
internal sealed class SessionRecorder(SmbClientOptions options)
{
    private readonly List<MessageRecord> _messages = [];
    private readonly List<string> _operations = [];

    public Dialect? Dialect { get; set; }

    public SigningAlgorithm? SigningAlgorithm { get; set; }

    public ushort SessionFlags { get; set; }

    public bool ServerRequiresSigning { get; set; }

    public bool SessionSigningRequired { get; set; }

    public ReadOnlyMemory<byte> ReadData { get; set; }

    public string? KerberosSessionKeyType { get; set; }

    public int KerberosSessionKeyLength { get; set; }

    public string? ClientPrincipal { get; set; }

    public SessionError? Error { get; set; }

    public IReadOnlyList<EnforcementProbe>? Probes { get; set; }

    public string? ProbeSkipReason { get; set; }

    public void Add(MessageRecord record) => _messages.Add(record);

    public void Operation(string text) => _operations.Add(text);

    public VerificationReport ToReport() => new()
    {
        Target = options.DisplayTarget,
        Dialect = Dialect,
        SigningAlgorithm = SigningAlgorithm,
        SessionFlags = SessionFlags,
        ServerRequiresSigning = ServerRequiresSigning,
        ClientRequiresSigning = options.RequireSigning,
        SessionSigningRequired = SessionSigningRequired,
        Messages = [.. _messages],
        Operations = [.. _operations],
        ReadData = ReadData,
        Authentication = options.Kerberos is null ? "ntlm" : "kerberos",
        KerberosSessionKeyType = KerberosSessionKeyType,
        KerberosSessionKeyLength = KerberosSessionKeyLength,
        ClientPrincipal = ClientPrincipal,
        Error = Error,
        Probes = Probes,
        ProbeSkipReason = ProbeSkipReason,
    };
}

/// <summary>Unwinds a session driver with a <see cref="SessionError"/> (logon failure, bad share, timeout…).</summary>
internal sealed class SessionAbortException(SessionError error) : Exception(error.Message)
{
    public SessionError Error { get; } = error;
}

/// <summary>Unwinds a session driver after a response failed verification: the client discards the message and
/// disconnects ([MS-SMB2] 3.2.5.1.3); the failure itself is already recorded.</summary>
internal sealed class VerificationStoppedException() : Exception("a response failed signature verification");
