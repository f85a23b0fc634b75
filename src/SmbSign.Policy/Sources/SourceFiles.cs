using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Sources;

/// <summary>Bounded file and stream reading shared by the readers. Failures become SmbSign-worded messages,
/// never exception text.</summary>
internal static class SourceFiles
{
    /// <summary>Opens a file for reading, or returns null with an SRC001 failure result.</summary>
    public static FileStream? TryOpen(string path, SourceFormat format, out SourceReadResult? failure)
    {
        failure = null;
        if (RefuseBeforeOpen(path) is { } refusal)
        {
            failure = SourceReadResult.Failed(path, format, refusal.Code, refusal.Message);
            return null;
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            failure = SourceReadResult.Failed(path, format, DiagnosticCodes.Src001, "cannot read the file: " + Describe(e));
            return null;
        }
    }

    /// <summary>Why <paramref name="path"/> must not be opened, or null when it is a regular file (or its kind cannot be
    /// told, in which case opening it gives the real error). A FIFO would block the open until some other process writes
    /// to it, a character device such as <c>/dev/zero</c> would be read until the size cap: both are refused by kind,
    /// before anything is read (SRC005).</summary>
    public static (string Code, string Message)? RefuseBeforeOpen(string path)
    {
        FileProbeResult probe = FileProbe.Probe(path);
        return probe.Kind switch
        {
            FileKind.Regular or FileKind.Unknown => null,
            FileKind.Missing => (DiagnosticCodes.Src001, "cannot read the file: " + MissingReason(path, probe.Reason)),
            FileKind.Directory => (DiagnosticCodes.Src005, "it is a folder, not a file"),
            _ => (DiagnosticCodes.Src005, $"it is {probe.DescribeKind()}, not a regular file; SmbSign reads only regular files (a pipe or device could block or never end)"),
        };
    }

    /// <summary>Why a path does not resolve. A name with U+FFFD came from bytes that are not UTF-8 (.NET replaces them
    /// when it decodes the command line or a folder listing), so the file may well exist under its real name.</summary>
    public static string MissingReason(string path, string? reason) =>
        path.Contains('\uFFFD', StringComparison.Ordinal)
            ? $"its name is not valid UTF-8 (on disk: {FileProbe.Escaped(path)}, each bad byte as \\xNN), so SmbSign cannot open it by name; rename it to UTF-8"
            : reason ?? "it does not exist";

    /// <summary>A short SmbSign-worded reason for an I/O failure.</summary>
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "it does not exist",
        DirectoryNotFoundException => "its folder does not exist",
        UnauthorizedAccessException or System.Security.SecurityException => "access is denied",
        PathTooLongException => "the path is too long",
        ArgumentException or NotSupportedException => "the path is not valid",
        _ => "an I/O error occurred",
    };

    /// <summary>Reads a stream into a pooled buffer (returned to the pool by the caller), at most
    /// <paramref name="max"/> bytes. On failure returns 0 and a problem as "CODE|message".</summary>
    public static int ReadBounded(Stream stream, int max, [NotNull] ref byte[]? buffer, out string? problem)
    {
        problem = null;
        buffer ??= ArrayPool<byte>.Shared.Rent(InitialSize(stream, max));
        int length = 0;
        try
        {
            if (stream.CanSeek && stream.Length - stream.Position > max)
            {
                problem = DiagnosticCodes.Src003 + "|" + SourceReader.TooLarge(stream.Length - stream.Position, max);
                return 0;
            }

            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max)
                    {
                        problem = DiagnosticCodes.Src003 + "|" + SourceReader.TooLarge(length, max);
                        return 0;
                    }

                    Grow(ref buffer, length, max);
                }

                int read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > max)
            {
                problem = DiagnosticCodes.Src003 + "|" + SourceReader.TooLarge(length, max);
                return 0;
            }

            return length;
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            problem = DiagnosticCodes.Src001 + "|cannot read the file: " + Describe(e);
            return 0;
        }
    }

    /// <summary>Async twin of <see cref="ReadBounded"/>; the buffer (if any) goes back to the pool via the caller.</summary>
    public static async Task<(byte[]? Buffer, int Length, string? Problem)> ReadBoundedAsync(Stream stream, int max, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialSize(stream, max));
        int length = 0;
        try
        {
            if (stream.CanSeek && stream.Length - stream.Position > max)
            {
                return (buffer, 0, DiagnosticCodes.Src003 + "|" + SourceReader.TooLarge(stream.Length - stream.Position, max));
            }

            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max)
                    {
                        return (buffer, 0, DiagnosticCodes.Src003 + "|" + SourceReader.TooLarge(length, max));
                    }

                    Grow(ref buffer, length, max);
                }

                int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return length > max
                ? (buffer, 0, DiagnosticCodes.Src003 + "|" + SourceReader.TooLarge(length, max))
                : (buffer, length, null);
        }
        catch (Exception e) when (IoErrors.IsFileOrPathProblem(e))
        {
            return (buffer, 0, DiagnosticCodes.Src001 + "|cannot read the file: " + Describe(e));
        }
    }

    private static int InitialSize(Stream stream, int max)
    {
        try
        {
            if (stream.CanSeek)
            {
                long remaining = stream.Length - stream.Position;
                return (int)Math.Min(Math.Max(remaining + 1, 256), (long)max + 1);
            }
        }
        catch (NotSupportedException)
        {
            // fall through to the default size
        }

        return Math.Min(16 * 1024, max + 1);
    }

    private static void Grow(ref byte[] buffer, int length, int max)
    {
        int size = (int)Math.Min((long)buffer.Length * 2, (long)max + 1);
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }
}
