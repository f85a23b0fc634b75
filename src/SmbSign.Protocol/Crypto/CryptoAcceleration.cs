namespace SmbSign.Protocol.Crypto;

/// <summary>
/// Which hardware-accelerated signing paths this process uses, for <c>smbsign version</c> and bug reports: AES-CMAC
/// and AES-GMAC run on AES-NI (and GMAC's GHASH on PCLMULQDQ) when the CPU has them, otherwise on the BCL's
/// portable <c>Aes</c>/<c>AesGcm</c>.
/// </summary>
public static class CryptoAcceleration
{
    /// <summary>AES-CMAC and AES-GMAC use the AES-NI block cipher.</summary>
    public static bool AesNi => Aes128Ni.IsSupported;

    /// <summary>AES-GMAC's GHASH uses carry-less multiplication (PCLMULQDQ).</summary>
    public static bool Pclmulqdq => Aes128Ni.IsSupported && Ghash.IsSupported;
}
