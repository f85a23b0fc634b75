namespace SmbSign.Policy.Catalog;

/// <summary>Registry value types that SMB settings use; numbers are the Win32 REG_* codes (also the type codes of security templates).</summary>
public enum RegistryValueType
{
    RegSz = 1,
    RegExpandSz = 2,
    RegBinary = 3,
    RegDword = 4,
    RegMultiSz = 7,
    RegQword = 11,
}

/// <summary>Spellings of <see cref="RegistryValueType"/>.</summary>
public static class RegistryValueTypeInfo
{
    /// <summary>"REG_DWORD", "REG_SZ", "REG_MULTI_SZ", ...</summary>
    public static string ToDisplayString(this RegistryValueType type) => type switch
    {
        RegistryValueType.RegSz => "REG_SZ",
        RegistryValueType.RegExpandSz => "REG_EXPAND_SZ",
        RegistryValueType.RegBinary => "REG_BINARY",
        RegistryValueType.RegDword => "REG_DWORD",
        RegistryValueType.RegMultiSz => "REG_MULTI_SZ",
        RegistryValueType.RegQword => "REG_QWORD",
        _ => $"type {(int)type}",
    };

    /// <summary>Accepts "REG_DWORD", "dword", the numeric code ("4") and the enum name.</summary>
    public static bool TryParse(string? text, out RegistryValueType type)
    {
        type = default;
        string? t = text?.Trim().ToUpperInvariant();
        RegistryValueType? parsed = t switch
        {
            "REG_SZ" or "SZ" or "STRING" or "REGSZ" or "1" => RegistryValueType.RegSz,
            "REG_EXPAND_SZ" or "EXPAND_SZ" or "EXPANDSTRING" or "REGEXPANDSZ" or "2" => RegistryValueType.RegExpandSz,
            "REG_BINARY" or "BINARY" or "REGBINARY" or "3" => RegistryValueType.RegBinary,
            "REG_DWORD" or "DWORD" or "REGDWORD" or "4" => RegistryValueType.RegDword,
            "REG_MULTI_SZ" or "MULTI_SZ" or "MULTISTRING" or "REGMULTISZ" or "7" => RegistryValueType.RegMultiSz,
            "REG_QWORD" or "QWORD" or "REGQWORD" or "11" => RegistryValueType.RegQword,
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
