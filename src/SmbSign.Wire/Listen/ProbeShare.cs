using SmbSign.Protocol.Smb2.QueryInfo;

namespace SmbSign.Wire.Listen;

/// <summary>The tiny read-only share the listener serves: a root directory holding one small text file. Nothing can be
/// written, created, renamed or deleted.</summary>
internal static class ProbeShare
{
    public const string FileName = "probe.txt";

    /// <summary>The file's content: plain ASCII, so a client that prints it shows the session worked.</summary>
    public static ReadOnlyMemory<byte> Content { get; } = "SmbSign listen probe file. If a client printed this, it used the answers it was given.\n"u8.ToArray();

    /// <summary>A fixed time (2026-01-01 UTC) for every timestamp: the share never changes.</summary>
    public static long FileTime { get; } = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToFileTime();

    public static FileMetadata Root { get; } = new(string.Empty, FileTime, FileTime, FileTime, FileTime, 0, 0, FileMetadata.DirectoryAttribute, 1);

    public static FileMetadata File { get; } = new(
        FileName, FileTime, FileTime, FileTime, FileTime, (ulong)Content.Length, 4096, FileMetadata.ReadOnlyAttribute, 2);

    /// <summary>The entry a CREATE name resolves to ("" or "\" is the root; names are case-insensitive); null when absent.</summary>
    public static FileMetadata? Resolve(string name)
    {
        string trimmed = name.Trim('\\', '/');
        if (trimmed.Length == 0)
        {
            return Root;
        }

        return string.Equals(trimmed, FileName, StringComparison.OrdinalIgnoreCase) ? File : null;
    }
}
