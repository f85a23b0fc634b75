using System.Globalization;

namespace SmbSign.Policy.Sources;

/// <summary>Where an observation or a diagnostic comes from: a file (or registry key for the live registry), the
/// format it was read as, and a 1-based line (text formats) or a 0-based byte offset (binary formats).</summary>
/// <param name="File">The path or name the caller gave for the source.</param>
/// <param name="Format">The format the source was read as.</param>
/// <param name="Line">1-based line number, or 0 when not applicable.</param>
/// <param name="ByteOffset">0-based byte offset in the file, or -1 when not applicable.</param>
public readonly record struct SourceLocation(string File, SourceFormat Format, int Line, long ByteOffset)
{
    /// <summary>A whole file, no position.</summary>
    public static SourceLocation OfFile(string file, SourceFormat format) => new(file, format, 0, -1);

    /// <summary>A line in a text file.</summary>
    public static SourceLocation AtLine(string file, SourceFormat format, int line) => new(file, format, line, -1);

    /// <summary>A byte offset in a binary file.</summary>
    public static SourceLocation AtOffset(string file, SourceFormat format, long offset) => new(file, format, 0, offset);

    /// <summary><c>file:12</c> for a line, <c>file@6688</c> for a byte offset (decimal), <c>file</c> otherwise.</summary>
    public override string ToString() => Line > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}")
        : ByteOffset >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{File}@{ByteOffset}")
            : File;
}
