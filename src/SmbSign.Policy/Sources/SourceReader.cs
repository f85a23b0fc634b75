using System.Buffers;
using System.Globalization;

namespace SmbSign.Policy.Sources;

/// <summary>Base of every file reader. Entry points: <see cref="Read(string)"/> (a path),
/// <see cref="Read(Stream, string)"/> / <see cref="ReadAsync"/> (a stream), <see cref="Parse"/> (bytes in memory).
/// Input is capped at <see cref="MaxFileSize"/>; nothing larger is buffered. Readers never throw for bad content or
/// unreadable files: they return a <see cref="SourceReadResult"/> with diagnostics. Instances are stateless and
/// thread-safe.</summary>
public abstract class SourceReader
{
    /// <summary>Default cap on a source file: 64 MiB (real exports are kilobytes).</summary>
    public const int DefaultMaxFileSize = 64 * 1024 * 1024;

    /// <summary>The format this reader reads.</summary>
    public abstract SourceFormat Format { get; }

    /// <summary>Cap on the small text formats (smb.conf, nsmb.conf, Get-Smb*Configuration JSON): 8 MiB. Real files are a
    /// few kilobytes; a larger one is not a configuration, and reading it would cost several times its size in memory.</summary>
    public const int SmallTextMaxFileSize = 8 * 1024 * 1024;

    private readonly int? _maxFileSize;

    /// <summary>Largest file accepted (default <see cref="MaxFileSizeFor"/> of the format); larger files give error
    /// <c>SRC003</c> without being read.</summary>
    public int MaxFileSize
    {
        get => _maxFileSize ?? MaxFileSizeFor(Format);
        init => _maxFileSize = value;
    }

    /// <summary>The size cap of a format: <see cref="SmallTextMaxFileSize"/> for smb.conf, nsmb.conf and
    /// Get-Smb*Configuration JSON, <see cref="DefaultMaxFileSize"/> for the rest (.reg exports, templates, Registry.pol and
    /// Intune exports can hold much more than the SMB settings).</summary>
    public static int MaxFileSizeFor(SourceFormat format) => format switch
    {
        SourceFormat.SmbConf or SourceFormat.NsmbConf or SourceFormat.PowerShellJson => SmallTextMaxFileSize,
        _ => DefaultMaxFileSize,
    };

    /// <summary>Reads a file. An unreadable file gives error <c>SRC001</c>.</summary>
    public virtual SourceReadResult Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream? stream = SourceFiles.TryOpen(path, Format, out SourceReadResult? failure);
        if (stream is null)
        {
            return failure!;
        }

        using (stream)
        {
            return Read(stream, path);
        }
    }

    /// <summary>Reads a stream to its end (at most <see cref="MaxFileSize"/> bytes) and parses it;
    /// <paramref name="sourceName"/> names it in provenance.</summary>
    public SourceReadResult Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        byte[]? buffer = null;
        try
        {
            int length = SourceFiles.ReadBounded(stream, MaxFileSize, ref buffer, out string? problem);
            return problem is not null
                ? Failed(sourceName, problem)
                : Parse(buffer.AsSpan(0, length), sourceName);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Asynchronous <see cref="Read(Stream, string)"/>.</summary>
    public async Task<SourceReadResult> ReadAsync(Stream stream, string sourceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        (byte[]? buffer, int length, string? problem) = await SourceFiles.ReadBoundedAsync(stream, MaxFileSize, cancellationToken).ConfigureAwait(false);
        try
        {
            return problem is not null
                ? Failed(sourceName, problem)
                : Parse(buffer.AsSpan(0, length), sourceName);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Parses content already in memory.</summary>
    public SourceReadResult Parse(ReadOnlySpan<byte> content, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (content.Length > MaxFileSize)
        {
            return SourceReadResult.Failed(sourceName, Format, DiagnosticCodes.Src003, TooLarge(content.Length, MaxFileSize));
        }

        SourceReadContext context = new(sourceName, Format);
        ParseCore(content, context);
        return context.ToResult();
    }

    /// <summary>Format-specific parsing; report everything through <paramref name="context"/>, never throw for content.</summary>
    protected internal abstract void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context);

    private SourceReadResult Failed(string sourceName, string problem)
    {
        int bar = problem.IndexOf('|', StringComparison.Ordinal);
        return SourceReadResult.Failed(sourceName, Format, problem[..bar], problem[(bar + 1)..]);
    }

    internal static string TooLarge(long length, int max) => string.Create(
        CultureInfo.InvariantCulture,
        $"the file is {length} bytes; the limit for a configuration source is {max} bytes ({max / (1024 * 1024)} MiB)");

    internal static string TooLarge(long length, int max, SourceFormat format) => string.Create(
        CultureInfo.InvariantCulture,
        $"the file is {length:N0} bytes; the limit for {format switch { SourceFormat.SmbConf => "an smb.conf", SourceFormat.NsmbConf => "an nsmb.conf", SourceFormat.PowerShellJson => "Get-Smb*Configuration JSON", _ => "a configuration source" }} is {max / (1024 * 1024)} MiB; not read");
}
