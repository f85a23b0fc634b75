using System.Buffers.Binary;
using System.Security.Cryptography;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// Signs and verifies SMB2/3 messages with one key and one algorithm ([MS-SMB2] 3.1.4.1, 3.1.5.1). Create one per
/// signing key (Session.SigningKey, Channel.SigningKey, or the 2.x SessionKey) and reuse it for every message: the
/// key schedule is computed once and no call allocates. Thread-safe. Dispose it when the session ends (wipes the key).
/// </summary>
/// <remarks>
/// <para>HMAC-SHA256 (2.0.2, 2.1): the first 16 bytes of HMAC-SHA256(key, message). AES-128-CMAC (3.0, 3.0.2, 3.1.1
/// default): RFC 4493. AES-128-GMAC (3.1.1 with SIGNING_CAPABILITIES id 2): the GCM tag with empty plaintext, the
/// message as AAD and the 12-byte nonce MessageId (LE u64) ‖ LE u32 (bit 0 = sent by the server, bit 1 = CANCEL).</para>
/// <para>All three MAC the message with its SIGNED flag as it stands and its 16-byte Signature field (offset 48) as
/// zeros. <see cref="Verify"/> and <see cref="ComputeSignature"/> never modify or copy the caller's bytes: the MAC is
/// fed bytes 0..48, sixteen zero bytes, then bytes 64..end.</para>
/// </remarks>
public sealed class Smb2MessageSigner : IDisposable
{
    public const int SignatureOffset = Smb2Header.SignatureOffset;
    public const int SignatureSize = Smb2Header.SignatureSize;

    private readonly AesCmac? _cmac;
    private readonly AesGmac? _gmac;
    private readonly IncrementalHash? _hmac;
    private bool _disposed;

    /// <summary>A signer for <paramref name="algorithm"/> keyed with <paramref name="key"/> (16 bytes for CMAC/GMAC; the session key for HMAC).</summary>
    public Smb2MessageSigner(SigningAlgorithm algorithm, ReadOnlySpan<byte> key)
        : this(algorithm, key, forcePortable: false)
    {
    }

    internal Smb2MessageSigner(SigningAlgorithm algorithm, ReadOnlySpan<byte> key, bool forcePortable)
    {
        Algorithm = algorithm;
        switch (algorithm)
        {
            case SigningAlgorithm.HmacSha256:
                if (key.IsEmpty)
                {
                    throw new ArgumentException("HMAC-SHA256 signing needs a non-empty key.", nameof(key));
                }

                _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
                break;
            case SigningAlgorithm.AesCmac:
                _cmac = new AesCmac(key, forcePortable);
                break;
            case SigningAlgorithm.AesGmac:
                _gmac = new AesGmac(key, forcePortable);
                break;
            case SigningAlgorithm.Md5Smb1:
                throw new ArgumentException("SMB1 MD5 signing has its own signer: use Smb1MessageSigner.", nameof(algorithm));
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown SMB2 signing algorithm.");
        }
    }

    public SigningAlgorithm Algorithm { get; }

    /// <summary>True when the MAC runs on AES-NI/PCLMULQDQ instructions (CMAC, GMAC); HMAC always uses the platform's SHA-256.</summary>
    public bool IsHardwareAccelerated => _cmac?.IsHardwareAccelerated ?? _gmac?.IsHardwareAccelerated ?? false;

    /// <summary>
    /// Signs one SMB2 message in place: sets SMB2_FLAGS_SIGNED, zeroes the Signature field and writes the MAC there.
    /// For a compound chain use <see cref="SignCompound"/>.
    /// </summary>
    public void Sign(Span<byte> message, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        ThrowIfNotSmb2Message(message, nameof(message));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[Smb2Header.FlagsOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(message[Smb2Header.FlagsOffset..], flags | (uint)Smb2Flags.Signed);
        Span<byte> signature = message.Slice(SignatureOffset, SignatureSize);
        signature.Clear();
        Span<byte> mac = stackalloc byte[SignatureSize];
        ComputeOverZeroedField(message, role, mac);
        mac.CopyTo(signature);
    }

    /// <summary>Signs every message of a compound chain separately (padding included); returns the number of messages.</summary>
    public int SignCompound(Span<byte> frame, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        int count = 0;
        foreach (Smb2CompoundMessage message in Smb2Compound.Enumerate(frame))
        {
            Sign(frame[message.Range], role);
            count++;
        }

        return count;
    }

    /// <summary>
    /// True when the SIGNED flag is set and the Signature field holds the MAC of the message. False for anything shorter
    /// than a header, not starting with FE 'SMB', unsigned, or tampered with. Constant-time comparison; never modifies
    /// <paramref name="message"/>.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> message, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        if (message.Length < Smb2Header.Size || !Smb2Header.HasSmb2ProtocolId(message))
        {
            return false;
        }

        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[Smb2Header.FlagsOffset..]);
        if ((flags & (uint)Smb2Flags.Signed) == 0)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[SignatureSize];
        ComputeSignatureCore(message, role, expected);
        return CryptographicOperations.FixedTimeEquals(expected, message.Slice(SignatureOffset, SignatureSize));
    }

    /// <summary>True when every message of the compound chain verifies (see <see cref="Verify"/>).</summary>
    public bool VerifyCompound(ReadOnlySpan<byte> frame, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        bool all = true;
        foreach (Smb2CompoundMessage message in Smb2Compound.Enumerate(frame))
        {
            all &= Verify(frame[message.Range], role);
        }

        return all;
    }

    /// <summary>
    /// The 16-byte signature of one message with its Signature field taken as zero and its flags as they are (the SIGNED
    /// flag is covered by the MAC: set it first to get the signature a signed message carries). Never modifies the message.
    /// </summary>
    public void ComputeSignature(ReadOnlySpan<byte> message, Span<byte> signature, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        ThrowIfNotSmb2Message(message, nameof(message));
        if (signature.Length < SignatureSize)
        {
            throw new ArgumentException($"The signature destination needs {SignatureSize} bytes.", nameof(signature));
        }

        ComputeSignatureCore(message, role, signature[..SignatureSize]);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cmac?.Dispose();
        _gmac?.Dispose();
        _hmac?.Dispose();
    }

    /// <summary>MAC of a message whose Signature field the caller already zeroed (signing path: one pass, one call).</summary>
    private void ComputeOverZeroedField(ReadOnlySpan<byte> message, Smb2SenderRole role, Span<byte> mac)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_cmac is not null)
        {
            _cmac.Compute(message, mac);
        }
        else if (_gmac is not null)
        {
            Span<byte> nonce = stackalloc byte[AesGmac.NonceSize];
            Smb2Signing.WriteGmacNonce(message, nonce, role);
            _gmac.Compute(nonce, message, mac);
        }
        else
        {
            Span<byte> hash = stackalloc byte[32];
            lock (_hmac!)
            {
                _hmac.AppendData(message);
                _hmac.GetHashAndReset(hash);
            }

            hash[..SignatureSize].CopyTo(mac);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    /// <summary>MAC of bytes 0..48 ‖ 16 zero bytes ‖ bytes 64..end, without copying the message.</summary>
    private void ComputeSignatureCore(ReadOnlySpan<byte> message, Smb2SenderRole role, Span<byte> mac)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReadOnlySpan<byte> head = message[..SignatureOffset];
        ReadOnlySpan<byte> zeros = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        ReadOnlySpan<byte> body = message[(SignatureOffset + SignatureSize)..];
        if (_cmac is not null)
        {
            AesCmacAccumulator accumulator = _cmac.Begin();
            accumulator.Append(head);
            accumulator.Append(zeros);
            accumulator.Append(body);
            accumulator.Finish(mac);
        }
        else if (_gmac is not null)
        {
            Span<byte> nonce = stackalloc byte[AesGmac.NonceSize];
            Smb2Signing.WriteGmacNonce(message, nonce, role);
            _gmac.ComputeWithZeroedBlock(nonce, message, SignatureOffset, mac);
        }
        else
        {
            Span<byte> hash = stackalloc byte[32];
            lock (_hmac!)
            {
                _hmac.AppendData(head);
                _hmac.AppendData(zeros);
                _hmac.AppendData(body);
                _hmac.GetHashAndReset(hash);
            }

            hash[..SignatureSize].CopyTo(mac);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    private static void ThrowIfNotSmb2Message(ReadOnlySpan<byte> message, string parameterName)
    {
        if (message.Length < Smb2Header.Size)
        {
            throw new ArgumentException($"An SMB2 message has at least {Smb2Header.Size} bytes; got {message.Length}.", parameterName);
        }

        if (!Smb2Header.HasSmb2ProtocolId(message))
        {
            throw new ArgumentException("An SMB2 message starts with FE 53 4D 42 (drop the 4-byte transport prefix first).", parameterName);
        }
    }
}
