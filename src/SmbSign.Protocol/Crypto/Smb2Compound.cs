using System.Buffers.Binary;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Protocol.Crypto;

/// <summary>One message of an SMB2 compound chain: its position in the frame (the span starting at 0xFE 'SMB').</summary>
/// <param name="Index">0 for the first message of the frame.</param>
/// <param name="Offset">Offset of the message's header within the frame.</param>
/// <param name="Length">Bytes covered by the message's signature: up to the next header (padding included) or the frame end.</param>
public readonly record struct Smb2CompoundMessage(int Index, int Offset, int Length)
{
    public Range Range => new(Offset, Offset + Length);
}

/// <summary>
/// Splits an SMB2 frame (without the 4-byte transport prefix) into the messages of a compound chain
/// ([MS-SMB2] 3.2.4.1.4, 3.1.4.1): each NextCommand must be at least 64, a multiple of 8 and leave room for the next
/// 64-byte header inside the frame; the last message (NextCommand 0) runs to the frame end.
/// </summary>
public static class Smb2Compound
{
    /// <summary>Enumerates the chain lazily; a malformed NextCommand throws <see cref="SmbProtocolException"/> with its offset.</summary>
    public static Smb2CompoundEnumerator Enumerate(ReadOnlySpan<byte> frame) => new(frame);

    /// <summary>Number of messages in the chain (validates it completely).</summary>
    public static int Count(ReadOnlySpan<byte> frame)
    {
        int count = 0;
        foreach (Smb2CompoundMessage _ in Enumerate(frame))
        {
            count++;
        }

        return count;
    }
}

/// <summary>Allocation-free enumerator over the messages of a compound chain (use with <c>foreach</c>).</summary>
public ref struct Smb2CompoundEnumerator
{
    private readonly ReadOnlySpan<byte> _frame;
    private int _next;
    private int _index;

    internal Smb2CompoundEnumerator(ReadOnlySpan<byte> frame)
    {
        _frame = frame;
        _next = 0;
        _index = 0;
        Current = default;
    }

    public Smb2CompoundMessage Current { get; private set; }

    public readonly Smb2CompoundEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next < 0)
        {
            return false;
        }

        int offset = _next;
        ReadOnlySpan<byte> rest = _frame[offset..];
        if (rest.Length < Smb2Header.Size)
        {
            ThrowHelper.ThrowInvalid(
                $"SMB2 compound message {_index}: needs a {Smb2Header.Size}-byte header at offset {offset}, but only {rest.Length} byte(s) remain in the {_frame.Length}-byte frame",
                offset);
        }

        if (!Smb2Header.HasSmb2ProtocolId(rest))
        {
            ThrowHelper.ThrowInvalid(
                $"SMB2 compound message {_index}: expected FE 53 4D 42 at offset {offset}, found {Convert.ToHexString(rest[..4])}",
                offset);
        }

        uint nextCommand = BinaryPrimitives.ReadUInt32LittleEndian(rest[Smb2Header.NextCommandOffset..]);
        int length;
        if (nextCommand == 0)
        {
            length = rest.Length;
            _next = -1;
        }
        else
        {
            int field = offset + Smb2Header.NextCommandOffset;
            if (nextCommand < Smb2Header.Size)
            {
                ThrowHelper.ThrowInvalid(
                    $"SMB2 compound message {_index}: NextCommand {nextCommand} at offset {field} is smaller than the {Smb2Header.Size}-byte header",
                    field);
            }

            if (nextCommand % 8 != 0)
            {
                ThrowHelper.ThrowInvalid(
                    $"SMB2 compound message {_index}: NextCommand {nextCommand} at offset {field} is not a multiple of 8",
                    field);
            }

            if (nextCommand > (uint)(rest.Length - Smb2Header.Size))
            {
                ThrowHelper.ThrowInvalid(
                    $"SMB2 compound message {_index}: NextCommand {nextCommand} at offset {field} leaves no room for a {Smb2Header.Size}-byte header before the end of the {_frame.Length}-byte frame",
                    field);
            }

            length = (int)nextCommand;
            _next = offset + length;
        }

        Current = new Smb2CompoundMessage(_index, offset, length);
        _index++;
        return true;
    }
}
