using System.Buffers.Binary;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Protocol.Crypto;

/// <summary>
/// One-shot SMB2/3 signing helpers ([MS-SMB2] 3.1.4.1). Each call expands the key; for more than one message create
/// an <see cref="Smb2MessageSigner"/> and reuse it.
/// </summary>
public static class Smb2Signing
{
    public const int SignatureOffset = Smb2Header.SignatureOffset;
    public const int SignatureSize = Smb2Header.SignatureSize;
    public const int GmacNonceSize = AesGmac.NonceSize;

    /// <summary>Signs one message in place (sets SIGNED, zeroes and fills the Signature field).</summary>
    public static void Sign(SigningAlgorithm algorithm, ReadOnlySpan<byte> key, Span<byte> message, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        using var signer = new Smb2MessageSigner(algorithm, key);
        signer.Sign(message, role);
    }

    /// <summary>Verifies one message (constant time; never modifies it). False when unsigned, short or tampered with.</summary>
    public static bool Verify(SigningAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        using var signer = new Smb2MessageSigner(algorithm, key);
        return signer.Verify(message, role);
    }

    /// <summary>The signature of one message with the Signature field taken as zero (flags as they are).</summary>
    public static void ComputeSignature(
        SigningAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> signature, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        using var signer = new Smb2MessageSigner(algorithm, key);
        signer.ComputeSignature(message, signature, role);
    }

    /// <summary>True when the message has the SMB2_FLAGS_SIGNED bit.</summary>
    public static bool IsSigned(ReadOnlySpan<byte> message) =>
        message.Length >= Smb2Header.Size &&
        (BinaryPrimitives.ReadUInt32LittleEndian(message[Smb2Header.FlagsOffset..]) & (uint)Smb2Flags.Signed) != 0;

    /// <summary>
    /// The AES-GMAC nonce of a message ([MS-SMB2] 3.1.4.1): MessageId (LE u64) ‖ LE u32 whose bit 0 is set when the
    /// server sent the message and bit 1 when it is a CANCEL request.
    /// </summary>
    public static void WriteGmacNonce(ReadOnlySpan<byte> message, Span<byte> nonce, Smb2SenderRole role = Smb2SenderRole.FromFlags)
    {
        if (message.Length < Smb2Header.Size)
        {
            throw new ArgumentException($"An SMB2 message has at least {Smb2Header.Size} bytes; got {message.Length}.", nameof(message));
        }

        if (nonce.Length < GmacNonceSize)
        {
            throw new ArgumentException($"The nonce destination needs {GmacNonceSize} bytes.", nameof(nonce));
        }

        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(message[Smb2Header.FlagsOffset..]);
        ushort command = BinaryPrimitives.ReadUInt16LittleEndian(message[Smb2Header.CommandOffset..]);
        bool fromServer = role switch
        {
            Smb2SenderRole.Client => false,
            Smb2SenderRole.Server => true,
            _ => (flags & (uint)Smb2Flags.ServerToRedir) != 0,
        };
        uint extra = (fromServer ? 1u : 0u) | (command == (ushort)Smb2Command.Cancel ? 2u : 0u);
        message.Slice(Smb2Header.MessageIdOffset, 8).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32LittleEndian(nonce[8..], extra);
    }
}
