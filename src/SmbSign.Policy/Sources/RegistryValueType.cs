namespace SmbSign.Policy.Sources;

/// <summary>Registry value types by their Windows REG_* code (the number used by Registry.pol, .reg <c>hex(N):</c>,
/// security templates and MS-RRP). The one enum for both what a source holds and what the catalog expects.</summary>
public enum RegistryValueType : uint
{
    /// <summary>REG_NONE (0).</summary>
    None = 0,

    /// <summary>REG_SZ (1).</summary>
    String = 1,

    /// <summary>REG_EXPAND_SZ (2).</summary>
    ExpandString = 2,

    /// <summary>REG_BINARY (3).</summary>
    Binary = 3,

    /// <summary>REG_DWORD (4), little-endian.</summary>
    DWord = 4,

    /// <summary>REG_DWORD_BIG_ENDIAN (5).</summary>
    DWordBigEndian = 5,

    /// <summary>REG_LINK (6).</summary>
    Link = 6,

    /// <summary>REG_MULTI_SZ (7).</summary>
    MultiString = 7,

    /// <summary>REG_RESOURCE_LIST (8).</summary>
    ResourceList = 8,

    /// <summary>REG_FULL_RESOURCE_DESCRIPTOR (9).</summary>
    FullResourceDescriptor = 9,

    /// <summary>REG_RESOURCE_REQUIREMENTS_LIST (10).</summary>
    ResourceRequirementsList = 10,

    /// <summary>REG_QWORD (11), little-endian.</summary>
    QWord = 11,
}

/// <summary>Names of <see cref="RegistryValueType"/>.</summary>
public static class RegistryValueTypeInfo
{
    /// <summary>"REG_DWORD", "REG_MULTI_SZ", … or "REG_0x1234" for codes without a name.</summary>
    public static string ToRegName(this RegistryValueType type) => type switch
    {
        RegistryValueType.None => "REG_NONE",
        RegistryValueType.String => "REG_SZ",
        RegistryValueType.ExpandString => "REG_EXPAND_SZ",
        RegistryValueType.Binary => "REG_BINARY",
        RegistryValueType.DWord => "REG_DWORD",
        RegistryValueType.DWordBigEndian => "REG_DWORD_BIG_ENDIAN",
        RegistryValueType.Link => "REG_LINK",
        RegistryValueType.MultiString => "REG_MULTI_SZ",
        RegistryValueType.ResourceList => "REG_RESOURCE_LIST",
        RegistryValueType.FullResourceDescriptor => "REG_FULL_RESOURCE_DESCRIPTOR",
        RegistryValueType.ResourceRequirementsList => "REG_RESOURCE_REQUIREMENTS_LIST",
        RegistryValueType.QWord => "REG_QWORD",
        _ => "REG_0x" + ((uint)type).ToString("X", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Accepts "REG_DWORD", "dword", the numeric code ("4") and the catalog's older spellings ("RegDword").
    /// Only the types a setting can have are accepted: a catalog entry never names REG_LINK or a resource list.</summary>
    public static bool TryParse(string? text, out RegistryValueType type)
    {
        type = default;
        string? t = text?.Trim().ToUpperInvariant();
        RegistryValueType? parsed = t switch
        {
            "REG_SZ" or "SZ" or "STRING" or "REGSZ" or "1" => RegistryValueType.String,
            "REG_EXPAND_SZ" or "EXPAND_SZ" or "EXPANDSTRING" or "REGEXPANDSZ" or "2" => RegistryValueType.ExpandString,
            "REG_BINARY" or "BINARY" or "REGBINARY" or "3" => RegistryValueType.Binary,
            "REG_DWORD" or "DWORD" or "REGDWORD" or "4" => RegistryValueType.DWord,
            "REG_MULTI_SZ" or "MULTI_SZ" or "MULTISTRING" or "REGMULTISZ" or "7" => RegistryValueType.MultiString,
            "REG_QWORD" or "QWORD" or "REGQWORD" or "11" => RegistryValueType.QWord,
            _ => null,
        };
        if (parsed is null)
        {
            return false;
        }

        type = parsed.Value;
        return true;
    }
}
