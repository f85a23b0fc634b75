using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// SMB1 (CIFS) message signing ([MS-CIFS] 3.1.4.1, [MS-SMB] 3.1.4.1): the 8-byte SecuritySignature at header offset 14
/// is the first 8 bytes of MD5(MAC key ‖ message), computed with the message's sequence number (LE u32, then four
/// zero bytes) in the signature field. Create one per session MAC key; thread-safe; no allocation per message.
/// </summary>
/// <remarks>
/// MAC key ([MS-CIFS] 3.2.4.2.4, [MS-SMB] 3.2.4.2.4): with extended security (SPNEGO/NTLMSSP, Kerberos) the 16-byte
/// session key; with NTLMv1/LM challenge-response the session key followed by the NT challenge response
/// (<see cref="Smb1Signing.CreateMacKey"/>). Sequence numbers: see <see cref="Smb1SigningSequence"/>.
/// </remarks>
[SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "SMB1 signing is defined as MD5 ([MS-CIFS] 3.1.4.1).")]
public sealed class Smb1MessageSigner : IDisposable
{
    public const int SignatureOffset = Smb1Signing.SignatureOffset;
    public const int SignatureSize = Smb1Signing.SignatureSize;

    private readonly byte[] _macKey;
    private readonly IncrementalHash _md5;
    private bool _disposed;

    public Smb1MessageSigner(ReadOnlySpan<byte> macKey)
    {
        if (macKey.IsEmpty)
        {
            throw new ArgumentException("SMB1 signing needs a non-empty MAC key.", nameof(macKey));
        }

        _macKey = macKey.ToArray();
        _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    }

    /// <summary>
    /// Signs in place: sets Flags2 SMB_FLAGS2_SMB_SECURITY_SIGNATURE (0x0004), writes <paramref name="sequenceNumber"/>
    /// into the signature field, MACs the message and keeps the first 8 bytes there.
    /// </summary>
    public void Sign(Span<byte> message, uint sequenceNumber)
    {
        Smb1Signing.ThrowIfNotSmb1Message(message, nameof(message));
        ushort flags2 = BinaryPrimitives.ReadUInt16LittleEndian(message[Smb1Signing.Flags2Offset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(message[Smb1Signing.Flags2Offset..], (ushort)(flags2 | Smb1Signing.Flags2SecuritySignature));
        Span<byte> field = message.Slice(SignatureOffset, SignatureSize);
        Span<byte> signature = stackalloc byte[SignatureSize];
        ComputeCore(message, sequenceNumber, signature);
        signature.CopyTo(field);
    }

    /// <summary>True when the message's SecuritySignature is its MAC under <paramref name="sequenceNumber"/>. Constant time; never modifies the message.</summary>
    public bool Verify(ReadOnlySpan<byte> message, uint sequenceNumber)
    {
        if (message.Length < Smb1Signing.HeaderSize || !message[..4].SequenceEqual(Smb1Signing.ProtocolId))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[SignatureSize];
        ComputeCore(message, sequenceNumber, expected);
        return CryptographicOperations.FixedTimeEquals(expected, message.Slice(SignatureOffset, SignatureSize));
    }

    /// <summary>The 8-byte signature with <paramref name="sequenceNumber"/> in the field (flags as they are). Never modifies the message.</summary>
    public void ComputeSignature(ReadOnlySpan<byte> message, uint sequenceNumber, Span<byte> signature)
    {
        Smb1Signing.ThrowIfNotSmb1Message(message, nameof(message));
        if (signature.Length < SignatureSize)
        {
            throw new ArgumentException($"The signature destination needs {SignatureSize} bytes.", nameof(signature));
        }

        ComputeCore(message, sequenceNumber, signature[..SignatureSize]);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_macKey);
        _md5.Dispose();
    }

    private void ComputeCore(ReadOnlySpan<byte> message, uint sequenceNumber, Span<byte> signature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> sequence = stackalloc byte[SignatureSize];
        BinaryPrimitives.WriteUInt32LittleEndian(sequence, sequenceNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(sequence[4..], 0);
        Span<byte> hash = stackalloc byte[16];
        lock (_md5)
        {
            _md5.AppendData(_macKey);
            _md5.AppendData(message[..SignatureOffset]);
            _md5.AppendData(sequence);
            _md5.AppendData(message[(SignatureOffset + SignatureSize)..]);
            _md5.GetHashAndReset(hash);
        }

        hash[..SignatureSize].CopyTo(signature);
        CryptographicOperations.ZeroMemory(hash);
    }
}

/// <summary>SMB1 signing constants and one-shot helpers ([MS-CIFS] 2.2.3.1, 3.1.4.1).</summary>
public static class Smb1Signing
{
    public const int HeaderSize = 32;
    public const int Flags2Offset = 10;
    public const int SignatureOffset = 14;
    public const int SignatureSize = 8;

    /// <summary>SMB_FLAGS2_SMB_SECURITY_SIGNATURE.</summary>
    public const ushort Flags2SecuritySignature = 0x0004;

    /// <summary>0xFF 'S' 'M' 'B'.</summary>
    public static ReadOnlySpan<byte> ProtocolId => [0xFF, 0x53, 0x4D, 0x42];

    /// <summary>
    /// The SMB1 MAC key: the session key, followed by the NT challenge response when the session authenticated with
    /// NTLMv1/LM challenge-response without extended security; pass an empty response for extended security.
    /// </summary>
    public static byte[] CreateMacKey(ReadOnlySpan<byte> sessionKey, ReadOnlySpan<byte> challengeResponse = default)
    {
        byte[] key = new byte[sessionKey.Length + challengeResponse.Length];
        sessionKey.CopyTo(key);
        challengeResponse.CopyTo(key.AsSpan(sessionKey.Length));
        return key;
    }

    /// <summary>Signs one message in place with a key used once.</summary>
    public static void Sign(ReadOnlySpan<byte> macKey, Span<byte> message, uint sequenceNumber)
    {
        using var signer = new Smb1MessageSigner(macKey);
        signer.Sign(message, sequenceNumber);
    }

    /// <summary>Verifies one message with a key used once.</summary>
    public static bool Verify(ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> message, uint sequenceNumber)
    {
        using var signer = new Smb1MessageSigner(macKey);
        return signer.Verify(message, sequenceNumber);
    }

    /// <summary>The 8-byte signature of one message with a key used once.</summary>
    public static void ComputeSignature(ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> message, uint sequenceNumber, Span<byte> signature)
    {
        using var signer = new Smb1MessageSigner(macKey);
        signer.ComputeSignature(message, sequenceNumber, signature);
    }

    /// <summary>True when Flags2 has SMB_FLAGS2_SMB_SECURITY_SIGNATURE.</summary>
    public static bool IsSigned(ReadOnlySpan<byte> message) =>
        message.Length >= HeaderSize && (BinaryPrimitives.ReadUInt16LittleEndian(message[Flags2Offset..]) & Flags2SecuritySignature) != 0;

    internal static void ThrowIfNotSmb1Message(ReadOnlySpan<byte> message, string parameterName)
    {
        if (message.Length < HeaderSize)
        {
            throw new ArgumentException($"An SMB1 message has at least {HeaderSize} bytes; got {message.Length}.", parameterName);
        }

        if (!message[..4].SequenceEqual(ProtocolId))
        {
            throw new ArgumentException("An SMB1 message starts with FF 53 4D 42 (drop the 4-byte transport prefix first).", parameterName);
        }
    }
}
