using System.Text;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats;

/// <summary>Test data access and small helpers shared by the reader tests.</summary>
internal static class TestFiles
{
    public static string PathOf(string relative) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", .. relative.Split('/')]);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    /// <summary>UTF-16LE with BOM, the way regedit, secedit and PowerShell 5.1 write.</summary>
    public static byte[] Utf16WithBom(string text) => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static Observation Find(SourceReadResult result, string key, string valueName) =>
        result.Observations.Single(o => o.Registry == new RegistryIdentity(key, valueName));

    public static uint DWordOf(SourceReadResult result, string key, string valueName)
    {
        Observation o = Find(result, key, valueName);
        Assert.NotNull(o.Value);
        Assert.True(o.Value!.TryGetUInt32(out uint v), $"{key}\\{valueName} is {o.Value} (not a DWORD)");
        return v;
    }

    public static string Codes(SourceReadResult result) => string.Join(",", result.Diagnostics.Select(d => d.Code));

    public static void AssertNoDiagnostics(SourceReadResult result) =>
        Assert.True(result.Diagnostics.Count == 0, "unexpected diagnostics:\n" + string.Join("\n", result.Diagnostics));

    public static void AssertSameObservations(SourceReadResult expected, SourceReadResult actual)
    {
        Assert.Equal(expected.Observations.Count, actual.Observations.Count);
        for (int i = 0; i < expected.Observations.Count; i++)
        {
            AssertSameObservation(expected.Observations[i], actual.Observations[i]);
        }
    }

    public static void AssertSameObservation(Observation expected, Observation actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Hive, actual.Hive);
        Assert.Equal(expected.Registry, actual.Registry);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Native, actual.Native);
        Assert.Equal(expected.NativeValue, actual.NativeValue);
        Assert.Equal(expected.Location.Line, actual.Location.Line);
        Assert.Equal(expected.Location.ByteOffset, actual.Location.ByteOffset);
    }
}

/// <summary>A read-only stream that hands out at most <c>chunk</c> bytes per read (the "split at every offset" idea
/// for stream-based entry points).</summary>
internal sealed class ChunkedStream(byte[] data, int chunk) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(Math.Min(count, chunk), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
