using SmbSign.Policy.Catalog;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Audit;

/// <summary>What one source says about one setting.</summary>
public enum SnapshotValueKind
{
    /// <summary>A value Windows can read (<see cref="SnapshotValue.Value"/> is set).</summary>
    Value,

    /// <summary>The value (or its key) is deleted; lower layers show through.</summary>
    Deleted,

    /// <summary>Configured in a form that has no Windows value (smb.conf <c>server min protocol = NT1</c> for a dialect minimum, a
    /// REG_SZ that is not a number for a REG_DWORD setting); <see cref="SnapshotValue.Note"/> says why.</summary>
    Unreadable,
}

/// <summary>One setting's value (or deletion) from one place in one source, with its precedence layer. Immutable.</summary>
/// <param name="Value">The value as the catalog types it; null unless <paramref name="Kind"/> is <see cref="SnapshotValueKind.Value"/>.</param>
/// <param name="Stored">How it was written: <c>REG_DWORD 1</c>, <c>server signing = mandatory</c>.</param>
/// <param name="TypeMismatch">True when the registry type differs from the setting's (a REG_SZ "1" for a REG_DWORD switch); Windows does not read such a value.</param>
public sealed record SnapshotValue(
    SettingDefinition Setting,
    SnapshotValueKind Kind,
    SettingValue? Value,
    string Stored,
    PrecedenceLayer Layer,
    SourceLocation Location,
    bool TypeMismatch = false,
    string? Note = null)
{
    /// <summary><c>1 (group policy, GptTmpl.inf:14)</c>.</summary>
    public override string ToString() => $"{(Kind == SnapshotValueKind.Deleted ? "deleted" : Value?.ToString() ?? Stored)} ({Layer.Describe()}, {Location})";
}
