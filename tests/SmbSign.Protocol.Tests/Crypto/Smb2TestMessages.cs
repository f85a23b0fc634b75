using SmbSign.Protocol.Smb2;

namespace SmbSign.Protocol.Tests.Crypto;

/// <summary>Builds SMB2 messages and compound frames with random bodies for signing tests.</summary>
internal static class Smb2TestMessages
{
    public static byte[] Create(
        Random random,
        int length,
        Smb2Command command = Smb2Command.Read,
        Smb2Flags flags = Smb2Flags.None,
        ulong messageId = 7,
        uint nextCommand = 0)
    {
        byte[] message = new byte[length];
        random.NextBytes(message);
        new Smb2Header(1, 0, command, 1, flags, nextCommand, messageId, 0, 5, 0x0000_1000_0000_0019).Write(message);
        return message;
    }

    /// <summary>A compound frame: each body length is padded to 8 bytes except the last; NextCommand set accordingly.</summary>
    public static byte[] CreateCompound(Random random, params int[] messageLengths)
    {
        var frame = new List<byte>();
        for (int i = 0; i < messageLengths.Length; i++)
        {
            bool last = i == messageLengths.Length - 1;
            int padded = last ? messageLengths[i] : (messageLengths[i] + 7) & ~7;
            byte[] message = Create(
                random,
                padded,
                flags: i == 0 ? Smb2Flags.None : Smb2Flags.RelatedOperations,
                messageId: (ulong)(10 + i),
                nextCommand: last ? 0u : (uint)padded);
            frame.AddRange(message);
        }

        return [.. frame];
    }
}
