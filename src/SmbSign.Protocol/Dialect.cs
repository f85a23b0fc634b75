namespace SmbSign.Protocol;

/// <summary>SMB dialects by their wire revision ([MS-SMB2] 2.2.3). <see cref="Smb1"/> stands for NT LM 0.12.</summary>
public enum Dialect : ushort
{
    Smb1 = 0x0001,
    Smb202 = 0x0202,
    Smb210 = 0x0210,
    Smb300 = 0x0300,
    Smb302 = 0x0302,
    Smb311 = 0x0311,
    Smb2Wildcard = 0x02FF,
}

/// <summary>Names and rules shared by every part that speaks about dialects.</summary>
public static class DialectInfo
{
    /// <summary>The SMB2/3 dialects in ascending order.</summary>
    public static IReadOnlyList<Dialect> Smb2Dialects { get; } =
        [Dialect.Smb202, Dialect.Smb210, Dialect.Smb300, Dialect.Smb302, Dialect.Smb311];

    /// <summary>"2.0.2", "3.1.1", "smb1" (NT LM 0.12), "2.???" (wildcard).</summary>
    public static string ToDisplayString(this Dialect dialect) => dialect switch
    {
        Dialect.Smb1 => "smb1",
        Dialect.Smb202 => "2.0.2",
        Dialect.Smb210 => "2.1",
        Dialect.Smb300 => "3.0",
        Dialect.Smb302 => "3.0.2",
        Dialect.Smb311 => "3.1.1",
        Dialect.Smb2Wildcard => "2.???",
        _ => $"0x{(ushort)dialect:X4}",
    };

    /// <summary>Parses the spellings users type: "2.0.2", "2.02", "202", "0x0311", "3.1.1", "smb1", "nt1", "SMB3_11", "785".</summary>
    public static bool TryParse(string? text, out Dialect dialect)
    {
        dialect = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string t = text.Trim().ToUpperInvariant();
        Dialect? parsed = t switch
        {
            "SMB1" or "NT1" or "NT LM 0.12" or "CIFS" or "1" => Dialect.Smb1,
            "2.0.2" or "2.02" or "202" or "0X0202" or "SMB2_02" or "514" => Dialect.Smb202,
            "2.1" or "2.10" or "210" or "0X0210" or "SMB2_10" or "SMB2" or "528" => Dialect.Smb210,
            "3.0" or "3.00" or "300" or "0X0300" or "SMB3_00" or "768" => Dialect.Smb300,
            "3.0.2" or "3.02" or "302" or "0X0302" or "SMB3_02" or "770" => Dialect.Smb302,
            "3.1.1" or "3.11" or "311" or "0X0311" or "SMB3_11" or "SMB3" or "785" => Dialect.Smb311,
            _ => null,
        };
        if (parsed is null)
        {
            return false;
        }

        dialect = parsed.Value;
        return true;
    }

    /// <summary>True for every SMB 2.x and 3.x dialect.</summary>
    public static bool IsSmb2Family(this Dialect dialect) => dialect is Dialect.Smb202 or Dialect.Smb210
        or Dialect.Smb300 or Dialect.Smb302 or Dialect.Smb311 or Dialect.Smb2Wildcard;

    /// <summary>True for 3.0 and later, which derive a signing key with the SP800-108 KDF.</summary>
    public static bool IsSmb3(this Dialect dialect) => dialect is Dialect.Smb300 or Dialect.Smb302 or Dialect.Smb311;

    /// <summary>The algorithm a dialect signs with ([MS-SMB2] 3.1.4.1); for 3.1.1 the negotiated one, AES-CMAC when none was.</summary>
    public static SigningAlgorithm DefaultSigningAlgorithm(this Dialect dialect, SigningAlgorithm? negotiated = null) => dialect switch
    {
        Dialect.Smb1 => SigningAlgorithm.Md5Smb1,
        Dialect.Smb202 or Dialect.Smb210 => SigningAlgorithm.HmacSha256,
        Dialect.Smb300 or Dialect.Smb302 => SigningAlgorithm.AesCmac,
        Dialect.Smb311 => negotiated ?? SigningAlgorithm.AesCmac,
        _ => throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "No signing algorithm for this dialect."),
    };
}
