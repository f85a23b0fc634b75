namespace SmbSign.Policy.Sources;

/// <summary>What an <see cref="Observation"/> says about its identity.</summary>
public enum ObservationKind
{
    /// <summary>A value is set (<see cref="Observation.Value"/> and/or <see cref="Observation.NativeValue"/>).</summary>
    Value,

    /// <summary>The value is deleted (.reg <c>"Name"=-</c>, Registry.pol <c>**del.Name</c> / <c>**DeleteValues</c>).</summary>
    ValueDeleted,

    /// <summary>Every value of the key is deleted (Registry.pol <c>**delvals.</c>); the identity's value name is empty.</summary>
    AllValuesDeleted,

    /// <summary>The key and its subkeys are deleted (.reg <c>[-KEY]</c>, Registry.pol <c>**DeleteKeys</c>).</summary>
    KeyDeleted,

    /// <summary>The key is created without a value (Registry.pol type-0 record with an empty value name).</summary>
    KeyCreated,
}

/// <summary>One fact read from one place in one source: a registry-style identity with a typed value or a deletion
/// marker, and/or a format-native identity and value, with provenance. Immutable.
/// <para>Registry-shaped formats (.reg, security templates, Registry.pol, live registry) fill
/// <see cref="Registry"/>. Other formats fill <see cref="Native"/> and, where <see cref="SettingMap"/> knows the
/// registry value the native setting stands for, also <see cref="Registry"/> + <see cref="Value"/>. smb.conf and
/// nsmb.conf observations are native only.</para></summary>
public sealed class Observation
{
    private Observation(
        ObservationKind kind,
        RegistryHive hive,
        RegistryIdentity? registry,
        RegistryValue? value,
        NativeSetting? native,
        NativeValue? nativeValue,
        SourceLocation location)
    {
        Kind = kind;
        Hive = hive;
        Registry = registry;
        Value = value;
        Native = native;
        NativeValue = nativeValue;
        Location = location;
    }

    /// <summary>Value set, or which deletion/creation.</summary>
    public ObservationKind Kind { get; }

    /// <summary>The hive of <see cref="Registry"/>; <see cref="RegistryHive.None"/> for native-only observations.</summary>
    public RegistryHive Hive { get; }

    /// <summary>The registry value this observation is about (or stands for), if any.</summary>
    public RegistryIdentity? Registry { get; }

    /// <summary>The typed registry value when <see cref="Kind"/> is <see cref="ObservationKind.Value"/> and the
    /// observation is registry-shaped or mapped.</summary>
    public RegistryValue? Value { get; }

    /// <summary>The setting's identity in its own format, if the format is not registry-shaped.</summary>
    public NativeSetting? Native { get; }

    /// <summary>The value as the native format wrote it and its normalised meaning.</summary>
    public NativeValue? NativeValue { get; }

    /// <summary>Where it was read.</summary>
    public SourceLocation Location { get; }

    /// <summary>A registry value (optionally also keyed by its native identity).</summary>
    public static Observation ForValue(
        RegistryHive hive,
        RegistryIdentity identity,
        RegistryValue value,
        SourceLocation location,
        NativeSetting? native = null,
        NativeValue? nativeValue = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(ObservationKind.Value, hive, identity, value, native, nativeValue, location);
    }

    /// <summary>A deletion or key creation; the value name is empty for key-level kinds.</summary>
    public static Observation ForMarker(ObservationKind kind, RegistryHive hive, RegistryIdentity identity, SourceLocation location, NativeSetting? native = null)
    {
        if (kind == ObservationKind.Value)
        {
            throw new ArgumentException("Use ForValue for values.", nameof(kind));
        }

        return new(kind, hive, identity, null, native, null, location);
    }

    /// <summary>A native-only value (smb.conf, nsmb.conf, or a native setting with no known registry mapping).</summary>
    public static Observation ForNative(NativeSetting native, NativeValue value, SourceLocation location)
    {
        ArgumentNullException.ThrowIfNull(native);
        ArgumentNullException.ThrowIfNull(value);
        return new(ObservationKind.Value, RegistryHive.None, null, null, native, value, location);
    }

    /// <summary><c>SYSTEM\…\Parameters\RequireSecuritySignature = REG_DWORD 1 (file:12)</c>.</summary>
    public override string ToString()
    {
        string what = Registry?.ToString() ?? Native?.ToString() ?? "?";
        string data = Kind switch
        {
            ObservationKind.Value => Value?.ToString() ?? NativeValue?.Text ?? string.Empty,
            _ => Kind.ToString(),
        };
        return $"{what} = {data} ({Location})";
    }
}
