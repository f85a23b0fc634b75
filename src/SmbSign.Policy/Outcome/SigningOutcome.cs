using System.Collections.Immutable;
using SmbSign.Policy.Catalog;
using SmbSign.Protocol;

namespace SmbSign.Policy.Outcome;

/// <summary>One input the engine looked at, with where its value came from.</summary>
/// <param name="Ref">The setting reference: a catalog id (<c>client.RequireSecuritySignature</c>), <c>smb.conf:server signing</c>,
/// <c>client.SigningAlgorithms</c> or <c>client.HardenedPaths[\\fs1\*]</c>.</param>
/// <param name="Value">The effective value; null when the setting does not exist on that OS.</param>
/// <param name="Provenance">"configured" or the default's source ("default for win11-24h2-pro: ... [doc]").</param>
public sealed record ResolvedSetting(string Ref, SettingValue? Value, ValueOrigin Origin, string Provenance)
{
    public bool IsDefault => Origin == ValueOrigin.OsDefault;

    /// <summary>"1", "AES-GMAC, AES-CMAC", "(not available)".</summary>
    public string DisplayValue => Value?.ToString() ?? "(not available)";
}

/// <summary>
/// The answer of <see cref="SigningOutcomeEngine.Evaluate(OutcomeRequest)"/>: signed / not signed / fails, the
/// algorithm, the settings that decided it, notes, and every input with its origin.
/// </summary>
public sealed record SigningOutcome
{
    public required SigningResult Result { get; init; }

    /// <summary>The dialect evaluated (<see cref="Dialect.Smb2Wildcard"/> = "some SMB 2/3 dialect").</summary>
    public required Dialect Dialect { get; init; }

    public required SessionKind Session { get; init; }

    /// <summary>The share path evaluated for UNC hardening, if any.</summary>
    public string? Path { get; init; }

    /// <summary>The signing algorithm; null when not signed, when the session fails, or when the dialect is only a family.</summary>
    public SigningAlgorithm? Algorithm { get; init; }

    /// <summary>True when SMB 3.x encryption applies (messages are encrypted instead of signed; integrity still holds).</summary>
    public bool Encrypted { get; init; }

    /// <summary>The settings that decided the result, client first (<c>client.RequireSecuritySignature</c>, ...).</summary>
    public required ImmutableArray<string> DecidedBy { get; init; }

    /// <summary>Explanations in plain sentences, most important first.</summary>
    public required ImmutableArray<string> Notes { get; init; }

    /// <summary>Every input looked at, in the order the engine read them.</summary>
    public required ImmutableArray<ResolvedSetting> Inputs { get; init; }

    /// <summary>SMB1 policy states of client and server (SMB1 only).</summary>
    public Smb1SigningState? ClientSmb1State { get; init; }

    public Smb1SigningState? ServerSmb1State { get; init; }

    /// <summary>Why the session fails, in one sentence (null unless <see cref="Result"/> is <see cref="SigningResult.Fails"/>).</summary>
    public string? FailureReason { get; init; }

    public bool Signed => Result == SigningResult.Signed;

    /// <summary>The inputs that were not configured and took an OS default.</summary>
    public IEnumerable<ResolvedSetting> Defaulted => Inputs.Where(i => i.IsDefault);

    /// <summary>The input for <paramref name="reference"/>, or null.</summary>
    public ResolvedSetting? Input(string reference) => Inputs.FirstOrDefault(i => string.Equals(i.Ref, reference, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The engine's input: both sides, the dialect (or <see cref="Dialect.Smb2Wildcard"/> for "SMB 2/3"), the session kind and an optional UNC path.</summary>
public sealed record OutcomeRequest(ClientPolicy Client, ServerPolicy Server, Dialect Dialect, SessionKind Session = SessionKind.User, string? Path = null);
