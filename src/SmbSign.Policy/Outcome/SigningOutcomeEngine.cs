using System.Collections.Immutable;
using System.Globalization;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Defaults;
using SmbSign.Protocol;

namespace SmbSign.Policy.Outcome;

/// <summary>
/// Decides whether an SMB session is signed: a pure function of the client policy, the server policy, the dialect,
/// the session kind and the share path (docs/reference/policy.md §5, docs/reference/protocol.md §§11–12). No I/O, clock or randomness.
/// <list type="bullet">
/// <item>SMB 2/3: signed when either side's RequireSecuritySignature is 1 (or Samba requires it); EnableSecuritySignature is ignored.</item>
/// <item>SMB1: the [MS-SMB] 3.2.4.2.4 table over the Disabled / Declined / Enabled / Required states of both sides.</item>
/// <item>Guest and anonymous sessions are never signed; a client that requires signing refuses them.</item>
/// <item>Hardened UNC Paths make the client require signing for <c>\\*\SYSVOL</c> and <c>\\*\NETLOGON</c>.</item>
/// </list>
/// Values that are not configured take the OS default of the side's <see cref="OsProfile"/>; the outcome lists them.
/// </summary>
public static class SigningOutcomeEngine
{
    /// <summary>Note added to every SMB 2/3 evaluation.</summary>
    public const string EnableIgnoredNote = "EnableSecuritySignature is ignored for SMB 2 and 3: only RequireSecuritySignature on either side decides (a session is signed when either side requires it).";

    /// <summary>Note for a guest session facing a client that requires signing.</summary>
    public const string GuestCannotSignNote = "A guest logon cannot sign, so a client that requires signing refuses it.";

    /// <summary>How to get signing, in every channel's words (Windows, Samba, macOS).</summary>
    public const string RequireHint = "To sign, set RequireSecuritySignature = 1 on either side; Samba equivalents: 'server signing = mandatory' (server) or 'client signing = required' (client); macOS: signing_required = yes in nsmb.conf.";

    private const string ClientRequire = "client.RequireSecuritySignature";
    private const string ClientEnable = "client.EnableSecuritySignature";
    private const string ServerRequire = "server.RequireSecuritySignature";
    private const string ServerEnable = "server.EnableSecuritySignature";
    private const string ClientSambaRef = "smb.conf:client signing";
    private const string ServerSambaRef = "smb.conf:server signing";

    /// <summary>Evaluates <paramref name="request"/> against the built-in catalog.</summary>
    public static SigningOutcome Evaluate(OutcomeRequest request) => Evaluate(request, SettingsCatalog.Default);

    /// <summary>Convenience overload of <see cref="Evaluate(OutcomeRequest)"/>.</summary>
    public static SigningOutcome Evaluate(ClientPolicy client, ServerPolicy server, Dialect dialect, SessionKind session = SessionKind.User, string? path = null) =>
        Evaluate(new OutcomeRequest(client, server, dialect, session, path), SettingsCatalog.Default);

    /// <summary>Evaluates <paramref name="request"/>; <paramref name="catalog"/> supplies setting definitions and default rules.</summary>
    public static SigningOutcome Evaluate(OutcomeRequest request, SettingsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(request.Client);
        ArgumentNullException.ThrowIfNull(request.Server);
        if (request.Dialect != Dialect.Smb1 && !request.Dialect.IsSmb2Family())
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Dialect, "Not an SMB dialect.");
        }

        if (!Enum.IsDefined(request.Session))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Session, "Unknown session kind.");
        }

        if (request.Path is not null && !HardenedPathRule.TrySplit(request.Path, out _, out _))
        {
            throw new ArgumentException($"'{request.Path}' is not a UNC path such as \\\\server\\share.", nameof(request));
        }

        return new Evaluation(request, catalog).Run();
    }

    /// <summary>The 3.1.1 signing algorithm both sides end up with, and a sentence saying why.</summary>
    public static (SigningAlgorithm Algorithm, string Reason) Negotiate311(
        IReadOnlyList<SigningAlgorithm> clientList,
        IReadOnlyList<SigningAlgorithm> serverList,
        AlgorithmSelection selection)
    {
        ArgumentNullException.ThrowIfNull(clientList);
        ArgumentNullException.ThrowIfNull(serverList);
        if (clientList.Count == 0)
        {
            return (SigningAlgorithm.AesCmac, "the client sends no SIGNING_CAPABILITIES, so 3.1.1 signs with AES-CMAC");
        }

        if (serverList.Count == 0)
        {
            return (SigningAlgorithm.AesCmac, "the server does not support SIGNING_CAPABILITIES, so 3.1.1 signs with AES-CMAC");
        }

        IEnumerable<SigningAlgorithm> order = selection == AlgorithmSelection.ServerOrder
            ? serverList.Where(clientList.Contains)
            : clientList.Where(serverList.Contains);
        foreach (SigningAlgorithm algorithm in order)
        {
            string how = selection == AlgorithmSelection.ServerOrder
                ? "the server's most preferred algorithm the client offered"
                : "the first algorithm in the client's preference list that the server supports";
            return (algorithm, $"{algorithm.ToDisplayString()} is {how} (client offers {List(clientList)}; server supports {List(serverList)})");
        }

        return (SigningAlgorithm.AesCmac, $"no common signing algorithm (client {List(clientList)}, server {List(serverList)}): AES-CMAC fallback");
    }

    private static string List(IEnumerable<SigningAlgorithm> algorithms) => string.Join(", ", algorithms.Select(a => a.ToDisplayString()));

    /// <summary>What one side contributes: whether it requires signing, its SMB1 state and the settings that say so.</summary>
    private sealed record SideSigning(bool Requires, Smb1SigningState Smb1State, ImmutableArray<string> RequireRefs, ImmutableArray<string> Smb1Refs, SambaSigningMode? SambaMode);

    private sealed class Evaluation(OutcomeRequest request, SettingsCatalog catalog)
    {
        private readonly List<ResolvedSetting> _inputs = [];
        private readonly List<string> _notes = [];
        private readonly List<string> _decidedBy = [];
        private readonly ClientPolicy _client = request.Client;
        private readonly ServerPolicy _server = request.Server;
        private readonly Dialect _dialect = request.Dialect;
        private readonly SessionKind _session = request.Session;

        public SigningOutcome Run()
        {
            bool smb1 = _dialect == Dialect.Smb1;
            SideSigning clientSide = ResolveSide(_client);
            SideSigning serverSide = ResolveSide(_server);
            (bool hardenedSigning, bool hardenedEncryption, bool hardenedMutualAuth, string? hardenedRef) = ResolveHardenedPath();

            bool clientRequires = clientSide.Requires || hardenedSigning;
            ImmutableArray<string> clientRequireRefs = hardenedSigning && hardenedRef is not null
                ? (clientSide.Requires ? clientSide.RequireRefs.Add(hardenedRef) : [hardenedRef])
                : clientSide.RequireRefs;

            if (smb1 && CheckSmb1Available() is { } smb1Failure)
            {
                return smb1Failure;
            }

            if (!smb1 && CheckDialectLimits() is { } dialectFailure)
            {
                return dialectFailure;
            }

            (bool encrypted, SigningOutcome? encryptionFailure) = ResolveEncryption(hardenedEncryption, hardenedRef);
            if (encryptionFailure is not null)
            {
                return encryptionFailure;
            }

            if (_session != SessionKind.User)
            {
                return GuestOrAnonymous(clientRequires, clientRequireRefs, hardenedMutualAuth, hardenedRef, serverSide, encrypted);
            }

            return smb1
                ? Smb1(clientSide, serverSide, clientRequires, clientRequireRefs)
                : Smb2(clientSide, serverSide, clientRequires, clientRequireRefs, encrypted);
        }

        // ------------------------------------------------------------------ SMB 2/3

        private SigningOutcome Smb2(SideSigning client, SideSigning server, bool clientRequires, ImmutableArray<string> clientRequireRefs, bool encrypted)
        {
            _notes.Add(EnableIgnoredNote);
            if (server.SambaMode == SambaSigningMode.Disabled)
            {
                _notes.Add("Samba's 'server signing = disabled' only affects SMB1; for SMB 2/3 Samba behaves as 'auto' (signing cannot be disabled).");
            }

            SigningResult result;
            if (clientRequires || server.Requires)
            {
                result = SigningResult.Signed;
                if (clientRequires)
                {
                    _decidedBy.AddRange(clientRequireRefs);
                }

                if (server.Requires)
                {
                    _decidedBy.AddRange(server.RequireRefs);
                }

                _notes.Insert(0, (clientRequires, server.Requires) switch
                {
                    (true, true) => "Both sides require signing.",
                    (true, false) => "The client requires signing, which is enough for SMB 2/3.",
                    _ => "The server requires signing, which is enough for SMB 2/3.",
                });
            }
            else
            {
                result = SigningResult.NotSigned;
                _decidedBy.AddRange(client.RequireRefs);
                _decidedBy.AddRange(server.RequireRefs);
                _notes.Insert(0, "Neither side requires signing, so the session is not signed.");
                _notes.Add(RequireHint);
                if (_dialect == Dialect.Smb311)
                {
                    _notes.Add("SMB 3.1.1 still signs the final SESSION_SETUP response and every TREE_CONNECT even when the session is not signed (MS-SMB2 3.2.5.3.1, 3.3.5.7).");
                }
                else if (_dialect is Dialect.Smb300 or Dialect.Smb302)
                {
                    _notes.Add("SMB 3.0/3.0.2 still signs FSCTL_VALIDATE_NEGOTIATE_INFO (the downgrade check) even when the session is not signed.");
                }
            }

            SigningAlgorithm? algorithm = result == SigningResult.Signed ? SelectAlgorithm() : null;
            if (encrypted)
            {
                _notes.Add("The session is encrypted: SMB 3.x encrypts messages instead of signing them, and the AEAD still provides integrity.");
            }

            return Outcome(result, algorithm, encrypted);
        }

        private SigningAlgorithm? SelectAlgorithm()
        {
            switch (_dialect)
            {
                case Dialect.Smb202 or Dialect.Smb210:
                    _notes.Add("SMB 2.0.2 and 2.1 sign with HMAC-SHA256 (first 16 bytes) keyed with the session key.");
                    return SigningAlgorithm.HmacSha256;
                case Dialect.Smb300 or Dialect.Smb302:
                    _notes.Add("SMB 3.0 and 3.0.2 sign with AES-128-CMAC keyed with the derived signing key.");
                    return SigningAlgorithm.AesCmac;
                case Dialect.Smb311:
                    ImmutableArray<SigningAlgorithm> clientList = AlgorithmList(_client);
                    ImmutableArray<SigningAlgorithm> serverList = AlgorithmList(_server);
                    (SigningAlgorithm algorithm, string reason) = Negotiate311(clientList, serverList, _server.Os.AlgorithmSelection);
                    _notes.Add("SMB 3.1.1 signing algorithm: " + reason + ".");
                    return algorithm;
                default:
                    _notes.Add("The algorithm depends on the dialect: HMAC-SHA256 for 2.0.2/2.1, AES-CMAC for 3.0/3.0.2, negotiated for 3.1.1.");
                    return null;
            }
        }

        private ImmutableArray<SigningAlgorithm> AlgorithmList(EndpointPolicy policy)
        {
            string reference = policy.Side.ToString().ToLowerInvariant() + ".SigningAlgorithms";
            if (policy.SigningAlgorithms is { } configured)
            {
                _inputs.Add(new ResolvedSetting(reference, SettingValue.FromList(configured.Select(a => a.ToDisplayString())), ValueOrigin.Configured, "configured"));
                return configured;
            }

            _inputs.Add(new ResolvedSetting(
                reference,
                SettingValue.FromList(policy.Os.SigningAlgorithms.Select(a => a.ToDisplayString())),
                ValueOrigin.OsDefault,
                $"default for {policy.Os.Label}: {policy.Os.SigningAlgorithmsSource} [{policy.Os.SigningAlgorithmsConfidence.ToString().ToLowerInvariant()}]"));
            return policy.Os.SigningAlgorithms;
        }

        // ------------------------------------------------------------------ SMB1

        private SigningOutcome Smb1(SideSigning client, SideSigning server, bool clientRequires, ImmutableArray<string> clientRequireRefs)
        {
            Smb1SigningState c = clientRequires ? Smb1SigningState.Required : client.Smb1State;
            Smb1SigningState s = server.Smb1State;
            ImmutableArray<string> clientRefs = clientRequires ? clientRequireRefs : client.Smb1Refs;
            _notes.Add($"SMB1 signing states: client {c}, server {s} (MS-SMB 3.2.1.1; Windows: Require=1 → Required, Require=0 & Enable=1 → Enabled, both 0 → Declined).");

            SigningResult result;
            string? failure = null;
            if (c == Smb1SigningState.Required && s == Smb1SigningState.Disabled && server.SambaMode == SambaSigningMode.Disabled && client.SambaMode is not null)
            {
                // Samba profile, measured with smbd and smbclient 4.17: a Samba server with 'server signing = disabled'
                // advertises SMB1 signing as disabled, yet it still signs for a client that sends
                // SMB_FLAGS2_SECURITY_SIGNATURE_REQUIRED, and smbclient with 'client signing = required' goes ahead
                // instead of disconnecting as [MS-SMB] 3.2.5.2 has a Windows client do.
                result = SigningResult.Signed;
                _decidedBy.AddRange(clientRefs);
                _decidedBy.AddRange(server.Smb1Refs);
                _notes.Insert(0, "Samba differs from Windows here: a Samba server with 'server signing = disabled' still signs SMB1 for a Samba client that requires signing (smbclient goes ahead although the server advertises signing disabled), so the session is signed. A Windows client that requires signing disconnects instead (MS-SMB 3.2.5.2).");
            }
            else if (c == Smb1SigningState.Required && s == Smb1SigningState.Disabled)
            {
                result = SigningResult.Fails;
                failure = "the client requires signing but the server has SMB1 signing disabled, so the client disconnects (MS-SMB 3.2.4.2.4)";
                _decidedBy.AddRange(clientRefs);
                _decidedBy.AddRange(server.Smb1Refs);
            }
            else if (s == Smb1SigningState.Required && c == Smb1SigningState.Disabled)
            {
                result = SigningResult.Fails;
                failure = "the server requires signing but the client has SMB1 signing disabled, so the session is refused";
                _decidedBy.AddRange(server.Smb1Refs);
                _decidedBy.AddRange(clientRefs);
            }
            else if (c == Smb1SigningState.Required || s == Smb1SigningState.Required)
            {
                result = SigningResult.Signed;
                if (c == Smb1SigningState.Required)
                {
                    _decidedBy.AddRange(clientRefs);
                }

                if (s == Smb1SigningState.Required)
                {
                    _decidedBy.AddRange(server.Smb1Refs);
                }

                _notes.Insert(0, c == Smb1SigningState.Required ? "The client requires signing." : "The server requires signing.");
            }
            else if (c == Smb1SigningState.Enabled && s == Smb1SigningState.Enabled)
            {
                result = SigningResult.Signed;
                _decidedBy.AddRange(clientRefs);
                _decidedBy.AddRange(server.Smb1Refs);
                _notes.Insert(0, "Both sides enable signing, which is enough to sign in SMB1 (unlike SMB 2/3).");
            }
            else
            {
                result = SigningResult.NotSigned;
                if (c != Smb1SigningState.Enabled)
                {
                    _decidedBy.AddRange(clientRefs);
                }

                if (s != Smb1SigningState.Enabled)
                {
                    _decidedBy.AddRange(server.Smb1Refs);
                }

                _notes.Insert(0, "No side requires signing and not both enable it, so the SMB1 session is not signed.");
                _notes.Add(RequireHint);
            }

            if (failure is not null)
            {
                _notes.Insert(0, char.ToUpperInvariant(failure[0]) + failure[1..] + ".");
            }

            if (result == SigningResult.Signed)
            {
                _notes.Add("SMB1 signs with MD5 over the MAC key and the message, with a sequence number (MS-CIFS 3.1.4.1).");
            }

            return Outcome(result, result == SigningResult.Signed ? SigningAlgorithm.Md5Smb1 : null, encrypted: false, failure) with
            {
                ClientSmb1State = c,
                ServerSmb1State = s,
            };
        }

        private SigningOutcome? CheckSmb1Available()
        {
            var failures = new List<string>();
            if (_client.Os.IsWindows)
            {
                ResolvedSetting driver = Get(_client, "client.Smb1Driver");
                if (driver.Value is { Kind: SettingValueKind.Number, Number: 4 })
                {
                    if (driver.IsDefault)
                    {
                        _notes.Add($"SMB1 is not installed by default on {_client.Os.Label} (client.Smb1Driver defaults to 4); this evaluation assumes the SMB1 client was installed.");
                    }
                    else
                    {
                        failures.Add("client.Smb1Driver");
                    }
                }
            }

            if (_server.Os.IsWindows)
            {
                ResolvedSetting server = Get(_server, "server.SMB1");
                if (server.Value is { Kind: SettingValueKind.Number, Number: 0 })
                {
                    if (server.IsDefault)
                    {
                        _notes.Add($"SMB1 is not installed by default on {_server.Os.Label} (server.SMB1 defaults to 0); this evaluation assumes the SMB1 server was installed.");
                    }
                    else
                    {
                        failures.Add("server.SMB1");
                    }
                }
            }

            if (failures.Count == 0)
            {
                return null;
            }

            _decidedBy.AddRange(failures);
            string reason = "SMB1 is disabled (" + string.Join(", ", failures) + "), so no SMB1 session can be made";
            _notes.Insert(0, reason + ".");
            return Outcome(SigningResult.Fails, null, encrypted: false, reason);
        }

        // ------------------------------------------------------------------ dialect limits, encryption, guests

        private SigningOutcome? CheckDialectLimits()
        {
            if (_dialect == Dialect.Smb2Wildcard)
            {
                return null;
            }

            int revision = (ushort)_dialect;
            var failures = new List<string>();
            foreach ((EndpointPolicy policy, string prefix) in new (EndpointPolicy, string)[] { (_client, "client"), (_server, "server") })
            {
                ResolvedSetting min = Get(policy, prefix + ".MinSmb2Dialect");
                ResolvedSetting max = Get(policy, prefix + ".MaxSmb2Dialect");
                if (min.Value is { Kind: SettingValueKind.Number } minValue && revision < minValue.Number)
                {
                    failures.Add(min.Ref);
                }

                if (max.Value is { Kind: SettingValueKind.Number } maxValue && revision > maxValue.Number)
                {
                    failures.Add(max.Ref);
                }
            }

            if (failures.Count == 0)
            {
                return null;
            }

            _decidedBy.AddRange(failures);
            string reason = $"dialect {_dialect.ToDisplayString()} is outside the range allowed by {string.Join(", ", failures)}, so no session uses it (the peers negotiate another dialect if they share one)";
            _notes.Insert(0, char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
            return Outcome(SigningResult.Fails, null, encrypted: false, reason);
        }

        private (bool Encrypted, SigningOutcome? Failure) ResolveEncryption(bool hardenedEncryption, string? hardenedRef)
        {
            ResolvedSetting clientRequire = Get(_client, "client.RequireEncryption");
            ResolvedSetting serverEncrypt = Get(_server, "server.EncryptData");
            bool clientWants = clientRequire.Value?.IsTrue == true;
            bool serverWants = serverEncrypt.Value?.IsTrue == true;
            if (!clientWants && !serverWants && !hardenedEncryption)
            {
                return (false, null);
            }

            var clientRefs = new List<string>();
            if (clientWants)
            {
                clientRefs.Add(clientRequire.Ref);
            }

            if (hardenedEncryption && hardenedRef is not null)
            {
                clientRefs.Add(hardenedRef);
            }

            if (_dialect == Dialect.Smb2Wildcard)
            {
                _notes.Add("Encryption is configured; it applies only if the peers negotiate SMB 3.x.");
                return (false, null);
            }

            bool canEncrypt = _dialect.IsSmb3() && _session == SessionKind.User;
            string why = _session == SessionKind.User
                ? $"encryption needs SMB 3.x and the dialect is {_dialect.ToDisplayString()}"
                : $"a {_session.ToDisplayString()} session has no session key, so it cannot be encrypted";
            if (clientRefs.Count > 0 && !canEncrypt)
            {
                _decidedBy.AddRange(clientRefs);
                string reason = $"the client requires encryption ({string.Join(", ", clientRefs)}) but {why}";
                _notes.Insert(0, char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
                return (false, Outcome(SigningResult.Fails, null, encrypted: false, reason));
            }

            if (serverWants && !canEncrypt)
            {
                ResolvedSetting reject = Get(_server, "server.RejectUnencryptedAccess");
                if (reject.Value?.IsTrue == true)
                {
                    _decidedBy.Add(serverEncrypt.Ref);
                    _decidedBy.Add(reject.Ref);
                    string reason = $"the server requires encryption and rejects unencrypted access, but {why}";
                    _notes.Insert(0, char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
                    return (false, Outcome(SigningResult.Fails, null, encrypted: false, reason));
                }

                _notes.Add("The server encrypts data but serves clients that cannot encrypt unencrypted (server.RejectUnencryptedAccess = 0).");
                return (false, null);
            }

            return (canEncrypt, null);
        }

        private SigningOutcome GuestOrAnonymous(bool clientRequires, ImmutableArray<string> clientRequireRefs, bool hardenedMutualAuth, string? hardenedRef, SideSigning server, bool encrypted)
        {
            string kind = _session.ToDisplayString();
            var failures = new List<string>();
            string? reason = null;
            if (_session == SessionKind.Guest && _dialect != Dialect.Smb1)
            {
                ResolvedSetting guest = Get(_client, "client.AllowInsecureGuestAuth");
                if (guest.Value is { Kind: SettingValueKind.Number, Number: 0 })
                {
                    failures.Add(guest.Ref);
                    reason = "insecure guest logons are disabled on the client (client.AllowInsecureGuestAuth = 0)";
                    _notes.Add("The client refuses insecure guest logons (Windows logs SMBClient/Security event 31017).");
                }
            }

            if (clientRequires)
            {
                failures.AddRange(clientRequireRefs);
                reason ??= $"a {kind} session cannot sign and the client requires signing";
                _notes.Add(_session == SessionKind.Guest
                    ? GuestCannotSignNote
                    : "An anonymous (null) session cannot sign either, so a client that requires signing refuses it too.");
                _notes.Add("Microsoft advises against disabling signing to restore guest access; give the share authenticated access instead.");
            }

            if (hardenedMutualAuth && hardenedRef is not null && !failures.Contains(hardenedRef))
            {
                failures.Add(hardenedRef);
                reason ??= $"Hardened UNC Paths require mutual authentication, which a {kind} session cannot provide";
            }

            if (failures.Count > 0)
            {
                _decidedBy.AddRange(failures);
                _notes.Insert(0, char.ToUpperInvariant(reason![0]) + reason[1..] + ".");
                return Outcome(SigningResult.Fails, null, encrypted: false, reason);
            }

            _decidedBy.AddRange(clientRequireRefs);
            if (_session == SessionKind.Guest && _dialect != Dialect.Smb1)
            {
                _decidedBy.Add("client.AllowInsecureGuestAuth");
            }

            _notes.Insert(0, $"Guest and anonymous sessions are never signed: there is no session key. The client does not require signing, so the {kind} session works unsigned.");
            if (server.Requires)
            {
                _notes.Add("The server's signing requirement does not apply to guest or anonymous sessions (MS-SMB2 3.3.5.5: Session.SigningRequired is never set for them).");
            }

            return Outcome(SigningResult.NotSigned, null, encrypted);
        }

        // ------------------------------------------------------------------ inputs

        private SideSigning ResolveSide(EndpointPolicy policy)
        {
            bool server = policy.Side == SettingSide.Server;
            string requireId = server ? ServerRequire : ClientRequire;
            string enableId = server ? ServerEnable : ClientEnable;
            bool windowsValuesConfigured = policy.GetConfigured(requireId) is not null || policy.GetConfigured(enableId) is not null;

            if (policy.SambaSigning is not null || (policy.Os.Family == OsFamily.Samba && !windowsValuesConfigured))
            {
                return ResolveSamba(policy, server);
            }

            ResolvedSetting require = Get(policy, requireId);
            ResolvedSetting enable = Get(policy, enableId);
            bool requires = require.Value?.IsTrue == true;
            bool enables = enable.Value?.IsTrue == true;
            Smb1SigningState state = requires ? Smb1SigningState.Required : enables ? Smb1SigningState.Enabled : Smb1SigningState.Declined;
            ImmutableArray<string> smb1Refs = requires ? [require.Ref] : [enable.Ref];
            return new SideSigning(requires, state, [require.Ref], smb1Refs, null);
        }

        private SideSigning ResolveSamba(EndpointPolicy policy, bool server)
        {
            string reference = server ? ServerSambaRef : ClientSambaRef;
            SambaSigningMode configured = policy.SambaSigning ?? SambaSigningMode.Default;
            SambaSigningMode effective = configured;
            string provenance = policy.SambaSigning is null
                ? $"default for {policy.Os.Label}: smb.conf(5) '{(server ? "server" : "client")} signing' default"
                : "configured";
            if (configured == SambaSigningMode.Default)
            {
                effective = server
                    ? policy.Os.Role == OsRole.DomainController ? SambaSigningMode.Required : SambaSigningMode.IfRequired
                    : SambaSigningMode.Desired;
                provenance += $" ('default' = {effective.ToConfString(server)}{(server && policy.Os.Role == OsRole.DomainController ? " on an AD DC" : string.Empty)})";
            }

            _inputs.Add(new ResolvedSetting(
                reference,
                SettingValue.FromText(configured == effective ? effective.ToConfString(server) : $"default ({effective.ToConfString(server)})"),
                policy.SambaSigning is null ? ValueOrigin.OsDefault : ValueOrigin.Configured,
                provenance));

            bool requires = effective == SambaSigningMode.Required;
            Smb1SigningState state = effective switch
            {
                SambaSigningMode.Required => Smb1SigningState.Required,
                SambaSigningMode.Disabled => Smb1SigningState.Disabled,
                SambaSigningMode.Desired => Smb1SigningState.Enabled,

                // A Samba server with 'auto' advertises signing as enabled and signs when the client does; a client with
                // 'if_required' signs only when the server requires it.
                _ => server ? Smb1SigningState.Enabled : Smb1SigningState.Declined,
            };
            return new SideSigning(requires, state, [reference], [reference], effective);
        }

        private (bool Signing, bool Encryption, bool MutualAuth, string? Ref) ResolveHardenedPath()
        {
            if (request.Path is not { } path)
            {
                return (false, false, false, null);
            }

            HardenedPathRule? best = null;
            string? bestRef = null;
            int bestScore = -1;
            foreach (SettingDefinition setting in catalog.Settings.Where(s => s.Values.Kind == ValueKind.HardenedPath && s.Side == SettingSide.Client))
            {
                ResolvedSetting resolved = Get(_client, setting.Id);
                if (resolved.Value is not { Kind: SettingValueKind.Text } value
                    || !HardenedPathValue.TryParse(value.Text!, out HardenedPathValue? flags, out _))
                {
                    continue;
                }

                Consider(new HardenedPathRule(setting.ValueName, flags), setting.Id);
            }

            foreach (HardenedPathRule rule in _client.ExtraHardenedPaths)
            {
                string reference = $"client.HardenedPaths[{rule.Pattern}]";
                _inputs.Add(new ResolvedSetting(reference, SettingValue.FromText(rule.Value.ToString()), ValueOrigin.Configured, "configured"));
                Consider(rule, reference);
            }

            if (best is null)
            {
                _notes.Add($"No Hardened UNC Paths entry matches {path}.");
                return (false, false, false, null);
            }

            _notes.Add($"Hardened UNC Paths: {bestRef} ({best.Pattern} = {best.Value}) applies to {path}"
                + (best.Value.RequiresSigning ? "; the client requires signing there whatever RequireSecuritySignature says." : "; it does not require integrity."));
            return (best.Value.RequiresSigning, best.Value.RequiresEncryption, best.Value.RequireMutualAuthentication == true, bestRef);

            void Consider(HardenedPathRule rule, string reference)
            {
                if (!rule.Matches(path) || !HardenedPathRule.TrySplit(rule.Pattern, out string? server, out string? share))
                {
                    return;
                }

                // The most specific pattern wins: a named server beats '*', a named share beats '*'.
                int score = (server == "*" ? 0 : 2) + (share == "*" ? 0 : 1);
                if (score > bestScore)
                {
                    best = rule;
                    bestRef = reference;
                    bestScore = score;
                }
            }
        }

        private ResolvedSetting Get(EndpointPolicy policy, string settingId)
        {
            ResolvedSetting? existing = _inputs.FirstOrDefault(i => string.Equals(i.Ref, settingId, StringComparison.OrdinalIgnoreCase));
            if (existing is not null)
            {
                return existing;
            }

            SettingDefinition setting = catalog[settingId];
            ResolvedSetting resolved;
            if (policy.GetConfigured(setting.Id) is { } configured)
            {
                resolved = new ResolvedSetting(setting.Id, configured, ValueOrigin.Configured, "configured");
            }
            else
            {
                DefaultValue value = OsDefaults.Resolve(setting, policy.Os);
                resolved = new ResolvedSetting(setting.Id, value.Value, ValueOrigin.OsDefault, value.Provenance);
            }

            _inputs.Add(resolved);
            return resolved;
        }

        private SigningOutcome Outcome(SigningResult result, SigningAlgorithm? algorithm, bool encrypted, string? failure = null)
        {
            ImmutableArray<string> decidedBy = [.. _decidedBy.Distinct(StringComparer.OrdinalIgnoreCase)];
            foreach (string reference in decidedBy)
            {
                ResolvedSetting? input = _inputs.FirstOrDefault(i => string.Equals(i.Ref, reference, StringComparison.OrdinalIgnoreCase));
                if (input is { IsDefault: true })
                {
                    _notes.Add(string.Create(CultureInfo.InvariantCulture, $"{input.Ref} is not configured; {input.DisplayValue} is the {input.Provenance}."));
                }
            }

            return new SigningOutcome
            {
                Result = result,
                Dialect = _dialect,
                Session = _session,
                Path = request.Path,
                Algorithm = algorithm,
                Encrypted = encrypted,
                DecidedBy = decidedBy,
                Notes = [.. _notes.Distinct(StringComparer.Ordinal)],
                Inputs = [.. _inputs],
                FailureReason = failure,
            };
        }
    }
}
