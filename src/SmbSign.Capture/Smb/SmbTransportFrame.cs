using SmbSign.Protocol.Framing;

namespace SmbSign.Capture.Smb;

/// <summary>What a transport frame header announces.</summary>
internal enum FrameClass : byte
{
    /// <summary>More bytes are needed to decide (4 for control frames, 8 for session messages).</summary>
    NeedMoreData,

    /// <summary>An SMB session message of <c>total</c> bytes, prefix included.</summary>
    Smb,

    /// <summary>An NBSS keep-alive or session-control frame of <c>total</c> bytes to skip.</summary>
    Skip,

    Invalid,
}

/// <summary>Recognises the Direct TCP / NBSS transport prefix ([MS-SMB2] 2.1, RFC 1002 4.3) followed by an SMB protocol id.</summary>
internal static class SmbTransportFrame
{
    /// <summary>Transport prefix plus protocol id: enough to recognise a session message.</summary>
    public const int RecognitionSize = 8;

    private const int MaxNbssControlLength = 1024;

    /// <summary>Classifies the frame starting at <paramref name="head"/> (any number of bytes may be present).</summary>
    public static FrameClass Classify(ReadOnlySpan<byte> head, int maxFrameSize, out int total)
    {
        total = 0;
        if (head.Length < DirectTcpFraming.PrefixSize)
        {
            return FrameClass.NeedMoreData;
        }

        byte type = head[0];
        int length = (head[1] << 16) | (head[2] << 8) | head[3];
        switch (type)
        {
            case 0x00:
                break;
            case 0x85: // keep-alive
                total = DirectTcpFraming.PrefixSize;
                return length == 0 ? FrameClass.Skip : FrameClass.Invalid;
            case 0x81 or 0x82 or 0x83 or 0x84: // session request, positive/negative response, retarget (port 139)
                total = DirectTcpFraming.PrefixSize + length;
                return length <= MaxNbssControlLength ? FrameClass.Skip : FrameClass.Invalid;
            default:
                return FrameClass.Invalid;
        }

        if (head.Length < RecognitionSize)
        {
            return FrameClass.NeedMoreData;
        }

        if (head[5] != 0x53 || head[6] != 0x4D || head[7] != 0x42)
        {
            return FrameClass.Invalid;
        }

        int minimum = head[4] switch
        {
            0xFE => 64, // SMB2 header
            0xFD => 52, // TRANSFORM_HEADER
            0xFC => 8,  // COMPRESSION_TRANSFORM_HEADER (chained form is 8 bytes)
            0xFF => 35, // SMB1 header, WordCount, ByteCount
            _ => int.MaxValue,
        };
        if (length < minimum || length > maxFrameSize)
        {
            return FrameClass.Invalid;
        }

        total = DirectTcpFraming.PrefixSize + length;
        return FrameClass.Smb;
    }

    /// <summary>A stricter test used while resynchronising: a session message, and for SMB2 a StructureSize of 64 when present.</summary>
    public static bool IsResyncCandidate(ReadOnlySpan<byte> window, int maxFrameSize)
    {
        if (window.Length < RecognitionSize || window[0] != 0)
        {
            return false;
        }

        if (Classify(window, maxFrameSize, out _) != FrameClass.Smb)
        {
            return false;
        }

        return window[4] != 0xFE || window.Length < 10 || (window[8] == 64 && window[9] == 0);
    }
}
