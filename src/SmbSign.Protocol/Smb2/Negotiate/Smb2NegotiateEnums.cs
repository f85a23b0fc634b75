namespace SmbSign.Protocol.Smb2.Negotiate;

/// <summary>[MS-SMB2] 2.2.3 / 2.2.4 Capabilities of a NEGOTIATE request or response.</summary>
[Flags]
public enum Smb2Capabilities : uint
{
    None = 0,
    Dfs = 0x0000_0001,
    Leasing = 0x0000_0002,
    LargeMtu = 0x0000_0004,
    MultiChannel = 0x0000_0008,
    PersistentHandles = 0x0000_0010,
    DirectoryLeasing = 0x0000_0020,
    Encryption = 0x0000_0040,
    Notifications = 0x0000_0080,
}

/// <summary>[MS-SMB2] 2.2.3.1 negotiate context types.</summary>
public enum NegotiateContextType : ushort
{
    PreauthIntegrityCapabilities = 0x0001,
    EncryptionCapabilities = 0x0002,
    CompressionCapabilities = 0x0003,
    NetnameNegotiateContextId = 0x0005,
    TransportCapabilities = 0x0006,
    RdmaTransformCapabilities = 0x0007,
    SigningCapabilities = 0x0008,
}

/// <summary>[MS-SMB2] 2.2.3.1.1 hash algorithms for pre-authentication integrity.</summary>
public enum PreauthHashAlgorithm : ushort
{
    Sha512 = 0x0001,
}

/// <summary>[MS-SMB2] 2.2.3.1.2 encryption ciphers.</summary>
public enum EncryptionCipher : ushort
{
    None = 0x0000,
    Aes128Ccm = 0x0001,
    Aes128Gcm = 0x0002,
    Aes256Ccm = 0x0003,
    Aes256Gcm = 0x0004,
}

/// <summary>[MS-SMB2] 2.2.3.1.3 compression algorithms.</summary>
public enum CompressionAlgorithm : ushort
{
    None = 0x0000,
    Lznt1 = 0x0001,
    Lz77 = 0x0002,
    Lz77Huffman = 0x0003,
    PatternV1 = 0x0004,
    Lz4 = 0x0005,
}

/// <summary>Display names for the NEGOTIATE vocabulary, as [MS-SMB2] and administrators spell them.</summary>
public static class Smb2NegotiateNames
{
    private static readonly (Smb2Capabilities Flag, string Name)[] s_capabilities =
    [
        (Smb2Capabilities.Dfs, "DFS"),
        (Smb2Capabilities.Leasing, "LEASING"),
        (Smb2Capabilities.LargeMtu, "LARGE_MTU"),
        (Smb2Capabilities.MultiChannel, "MULTI_CHANNEL"),
        (Smb2Capabilities.PersistentHandles, "PERSISTENT_HANDLES"),
        (Smb2Capabilities.DirectoryLeasing, "DIRECTORY_LEASING"),
        (Smb2Capabilities.Encryption, "ENCRYPTION"),
        (Smb2Capabilities.Notifications, "NOTIFICATIONS"),
    ];

    /// <summary>The capability names set in <paramref name="capabilities"/>, in bit order; unknown bits as <c>0x…</c>.</summary>
    public static IReadOnlyList<string> ToNames(this Smb2Capabilities capabilities)
    {
        var names = new List<string>();
        uint rest = (uint)capabilities;
        foreach ((Smb2Capabilities flag, string name) in s_capabilities)
        {
            if ((capabilities & flag) != 0)
            {
                names.Add(name);
                rest &= ~(uint)flag;
            }
        }

        for (int bit = 0; bit < 32; bit++)
        {
            uint mask = 1u << bit;
            if ((rest & mask) != 0)
            {
                names.Add($"0x{mask:X8}");
            }
        }

        return names;
    }

    /// <summary>"AES-128-CCM", "AES-128-GCM", "AES-256-CCM", "AES-256-GCM".</summary>
    public static string ToDisplayString(this EncryptionCipher cipher) => cipher switch
    {
        EncryptionCipher.None => "none",
        EncryptionCipher.Aes128Ccm => "AES-128-CCM",
        EncryptionCipher.Aes128Gcm => "AES-128-GCM",
        EncryptionCipher.Aes256Ccm => "AES-256-CCM",
        EncryptionCipher.Aes256Gcm => "AES-256-GCM",
        _ => $"0x{(ushort)cipher:X4}",
    };

    /// <summary>"LZNT1", "LZ77", "LZ77+Huffman", "Pattern_V1", "LZ4".</summary>
    public static string ToDisplayString(this CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.None => "NONE",
        CompressionAlgorithm.Lznt1 => "LZNT1",
        CompressionAlgorithm.Lz77 => "LZ77",
        CompressionAlgorithm.Lz77Huffman => "LZ77+Huffman",
        CompressionAlgorithm.PatternV1 => "Pattern_V1",
        CompressionAlgorithm.Lz4 => "LZ4",
        _ => $"0x{(ushort)algorithm:X4}",
    };
}
