namespace SmbSign.Protocol;

/// <summary>SMB signing algorithms. The SMB2 values are the SIGNING_CAPABILITIES ids ([MS-SMB2] 2.2.3.1.7).</summary>
public enum SigningAlgorithm : ushort
{
    HmacSha256 = 0x0000,
    AesCmac = 0x0001,
    AesGmac = 0x0002,

    /// <summary>SMB1: MD5 over key and message with the sequence number in the signature field ([MS-CIFS] 3.1.4.1).</summary>
    Md5Smb1 = 0xFF01,
}

/// <summary>Display names as administrators and Samba write them.</summary>
public static class SigningAlgorithmInfo
{
    /// <summary>"HMAC-SHA256", "AES-CMAC", "AES-GMAC", "MD5".</summary>
    public static string ToDisplayString(this SigningAlgorithm algorithm) => algorithm switch
    {
        SigningAlgorithm.HmacSha256 => "HMAC-SHA256",
        SigningAlgorithm.AesCmac => "AES-CMAC",
        SigningAlgorithm.AesGmac => "AES-GMAC",
        SigningAlgorithm.Md5Smb1 => "MD5",
        _ => $"0x{(ushort)algorithm:X4}",
    };

    /// <summary>Accepts "hmac", "HMAC-SHA256", "cmac", "AES-128-CMAC", "gmac", "AES-128-GMAC", "md5".</summary>
    public static bool TryParse(string? text, out SigningAlgorithm algorithm)
    {
        algorithm = default;
        SigningAlgorithm? parsed = text?.Trim().ToUpperInvariant() switch
        {
            "HMAC" or "HMAC-SHA256" or "HMACSHA256" or "HMAC_SHA256" => SigningAlgorithm.HmacSha256,
            "CMAC" or "AES-CMAC" or "AES-128-CMAC" or "AESCMAC" => SigningAlgorithm.AesCmac,
            "GMAC" or "AES-GMAC" or "AES-128-GMAC" or "AESGMAC" => SigningAlgorithm.AesGmac,
            "MD5" or "SMB1" => SigningAlgorithm.Md5Smb1,
            _ => null,
        };
        if (parsed is null)
        {
            return false;
        }

        algorithm = parsed.Value;
        return true;
    }
}
