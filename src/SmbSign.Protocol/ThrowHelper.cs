using System.Diagnostics.CodeAnalysis;

namespace SmbSign.Protocol;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowBufferOutOfRange(string field, ulong offset, ulong length, int messageLength) =>
        throw new SmbProtocolException(
            $"{field}: offset {offset} + length {length} lies outside the {messageLength}-byte message", (long)offset);

    [DoesNotReturn]
    public static void ThrowTruncated(string what, int position, int needed, int available) =>
        throw new SmbProtocolException(
            $"{what}: truncated at byte {position}, needed {needed} more byte(s), {available} available", position);

    [DoesNotReturn]
    public static void ThrowInvalid(string message, long offset) => throw new SmbProtocolException(message, offset);
}
