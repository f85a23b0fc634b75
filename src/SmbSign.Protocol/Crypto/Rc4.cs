using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// RC4 (the "ARCFOUR" stream cipher; test vectors in RFC 6229). Broken as a cipher; NTLM still uses it for the
/// EncryptedRandomSessionKey and for sealing/checksums ([MS-NLMP] 3.4.3, 3.4.4). The BCL has none.
/// One instance is one keystream: successive <c>Transform</c> calls continue it, as NTLM sealing requires.
/// </summary>
public sealed class Rc4 : IDisposable
{
    private readonly byte[] _s = new byte[256];
    private int _i;
    private int _j;

    public Rc4(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || key.Length > 256)
        {
            throw new ArgumentException($"RC4 needs a 1..256-byte key, got {key.Length}.", nameof(key));
        }

        for (int i = 0; i < 256; i++)
        {
            _s[i] = (byte)i;
        }

        int j = 0;
        for (int i = 0; i < 256; i++)
        {
            j = (j + _s[i] + key[i % key.Length]) & 0xFF;
            (_s[i], _s[j]) = (_s[j], _s[i]);
        }
    }

    /// <summary>One-shot RC4 (encryption and decryption are the same operation).</summary>
    public static byte[] Apply(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input)
    {
        byte[] output = new byte[input.Length];
        using var rc4 = new Rc4(key);
        rc4.Transform(input, output);
        return output;
    }

    /// <summary>XORs the next <c>input.Length</c> keystream bytes into <paramref name="output"/> (may be the same span).</summary>
    public void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("The output is shorter than the input.", nameof(output));
        }

        byte[] s = _s;
        int i = _i, j = _j;
        for (int n = 0; n < input.Length; n++)
        {
            i = (i + 1) & 0xFF;
            j = (j + s[i]) & 0xFF;
            (s[i], s[j]) = (s[j], s[i]);
            output[n] = (byte)(input[n] ^ s[(s[i] + s[j]) & 0xFF]);
        }

        _i = i;
        _j = j;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_s);
        _i = 0;
        _j = 0;
    }
}
