using System.Text.Json;

namespace SmbSign.Protocol.Tests.Crypto;

/// <summary>
/// Loads the public known-answer vectors in TestData/vectors (sources: RFC 4493
/// section 4, NIST CAVP gcmEncryptExtIV128 + McGrew/Viega GCM test case 1, [MS-NLMP] 4.2, and the Microsoft Open
/// Specifications blog "SMB 2 and SMB 3 security in Windows 10: the anatomy of signing and cryptographic keys", 2017).
/// </summary>
internal static class TestVectors
{
    public const string Cmac = "rfc4493-aes-cmac.json";
    public const string Gmac = "nist-gcm-gmac.json";
    public const string Ntlm = "ms-nlmp-4.2-ntlm.json";
    public const string Smb2017 = "ms-blog-anatomy-of-signing-2017.json";

    public static JsonElement Load(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "vectors", fileName);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static byte[] Hex(this JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    /// <summary>A copy of <paramref name="data"/> with bit <paramref name="bit"/> inverted (the negative twin of a vector).</summary>
    public static byte[] FlipBit(ReadOnlySpan<byte> data, int bit)
    {
        byte[] copy = data.ToArray();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    public static string ToHex(ReadOnlySpan<byte> data) => Convert.ToHexString(data);
}
