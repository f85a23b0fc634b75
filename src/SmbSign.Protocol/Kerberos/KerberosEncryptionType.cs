namespace SmbSign.Protocol.Kerberos;

/// <summary>Kerberos encryption types (RFC 3961 §8 / IANA "Kerberos Encryption Type Numbers"); the ones SMB signing
/// verification can decrypt are <see cref="Aes128CtsHmacSha196"/>, <see cref="Aes256CtsHmacSha196"/> (RFC 3962) and
/// <see cref="Rc4Hmac"/> (RFC 4757).</summary>
public enum KerberosEncryptionType
{
    DesCbcCrc = 1,
    DesCbcMd5 = 3,
    Des3CbcSha1 = 16,
    Aes128CtsHmacSha196 = 17,
    Aes256CtsHmacSha196 = 18,
    Aes128CtsHmacSha256128 = 19,
    Aes256CtsHmacSha384192 = 20,
    Rc4Hmac = 23,
    Rc4HmacExp = 24,
}

/// <summary>Names of encryption types as MIT krb5 spells them (klist -e, kdc.conf).</summary>
public static class KerberosEncryptionTypes
{
    /// <summary>True for the types <see cref="KerberosCrypto"/> decrypts.</summary>
    public static bool IsSupported(int encryptionType) => encryptionType is 17 or 18 or 23;

    /// <summary>"aes256-cts-hmac-sha1-96", "rc4-hmac", …; an unknown number as "enctype N".</summary>
    public static string GetName(int encryptionType) => encryptionType switch
    {
        1 => "des-cbc-crc",
        3 => "des-cbc-md5",
        16 => "des3-cbc-sha1",
        17 => "aes128-cts-hmac-sha1-96",
        18 => "aes256-cts-hmac-sha1-96",
        19 => "aes128-cts-hmac-sha256-128",
        20 => "aes256-cts-hmac-sha384-192",
        23 => "rc4-hmac",
        24 => "rc4-hmac-exp",
        _ => "enctype " + encryptionType.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The key length in bytes of a supported type.</summary>
    public static int KeyLength(int encryptionType) => encryptionType switch
    {
        17 => 16,
        18 => 32,
        23 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(encryptionType), encryptionType, "Not a supported Kerberos encryption type."),
    };
}
