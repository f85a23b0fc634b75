using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.RegistryPol;

public sealed class RegistryPolReaderTests
{
    private const string SamplePol = "gpo-samba/Machine/Registry.pol";

    private readonly RegistryPolReader _reader = new();

    [Fact]
    public void Read_SambaSample_MatchesSambaDecodedXmlForAll76Records()
    {
        // Source: samba-team/samba @4614f04 generalized-gpo-backup: Registry.pol and Samba's own XML rendering of it.
        SourceReadResult result = _reader.Read(TestFiles.PathOf(SamplePol));
        XElement[] entries = XDocument.Load(TestFiles.PathOf(SamplePol + ".samba-decoded.xml")).Root!.Elements("Entry").ToArray();

        TestFiles.AssertNoDiagnostics(result);
        Assert.Equal(76, entries.Length);
        Assert.Equal(entries.Length, result.Observations.Count);
        for (int i = 0; i < entries.Length; i++)
        {
            XElement entry = entries[i];
            Observation o = result.Observations[i];
            string because = $"record {i} at {o.Location}";
            int type = int.Parse(entry.Attribute("type")!.Value, CultureInfo.InvariantCulture);
            Assert.True(new RegistryIdentity(entry.Element("Key")!.Value, entry.Element("ValueName")!.Value) == o.Registry, because);
            Assert.Equal(RegistryHive.LocalMachine, o.Hive);
            if (type == 0)
            {
                Assert.True(o.Kind == ObservationKind.KeyCreated, because);
                continue;
            }

            Assert.Equal(ObservationKind.Value, o.Kind);
            Assert.True((RegistryValueType)type == o.Value!.Type, because);
            string[] xmlValues = entry.Elements("Value").Select(v => v.Value).ToArray();
            switch ((RegistryValueType)type)
            {
                case RegistryValueType.String or RegistryValueType.ExpandString:
                    Assert.True(o.Value.TryGetString(out string s));
                    Assert.True(Assert.Single(xmlValues) == s, because);
                    break;
                case RegistryValueType.MultiString:
                    Assert.True(o.Value.TryGetStrings(out IReadOnlyList<string> list));
                    Assert.Equal(xmlValues, list);
                    break;
                case RegistryValueType.DWord or RegistryValueType.QWord:
                    Assert.True(o.Value.TryGetUInt64(out ulong n));
                    Assert.True(ulong.Parse(Assert.Single(xmlValues), CultureInfo.InvariantCulture) == n, because);
                    break;
                case RegistryValueType.Binary:
                    Assert.Equal(Convert.FromBase64String(Assert.Single(xmlValues)), o.Value.ToBytes());
                    break;
                default:
                    Assert.Fail($"unexpected type {type} in the sample");
                    break;
            }
        }

        Dictionary<int, int> byType = entries.GroupBy(e => int.Parse(e.Attribute("type")!.Value, CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [0] = 35, [1] = 19, [2] = 2, [3] = 1, [4] = 14, [7] = 3, [11] = 2 }, byType);
        Assert.Equal(8, result.Observations[0].Location.ByteOffset);
    }

    [Fact]
    public void Parse_Directives_BecomeDeletionMarkers()
    {
        const string Key = @"Software\Policies\Microsoft\Windows\LanmanWorkstation";
        byte[] file = Pol.File(
            Pol.Record(Key, "**del.AllowInsecureGuestAuth", 1, Pol.Sz(" ")),
            Pol.Record(Key, "**Del.MinSmb2Dialect", 1, Pol.Sz(" ")),
            Pol.Record(Key, "**delvals.", 1, Pol.Sz(" ")),
            Pol.Record(Key, "**DeleteValues", 1, Pol.Sz("A;B")),
            Pol.Record(Key, "**DeleteKeys", 1, Pol.Sz("Sub1;Sub2")),
            Pol.Record(Key, "**SecureKey", 4, Pol.DWord(1)),
            Pol.Record(Key, "**soft.RequireEncryption", 4, Pol.DWord(1)),
            Pol.Record(Key, "**bogus", 4, Pol.DWord(1)));

        SourceReadResult result = _reader.Parse(file, "r.pol");

        Assert.Equal(
            [
                (ObservationKind.ValueDeleted, "AllowInsecureGuestAuth"),
                (ObservationKind.ValueDeleted, "MinSmb2Dialect"),
                (ObservationKind.AllValuesDeleted, string.Empty),
                (ObservationKind.ValueDeleted, "A"),
                (ObservationKind.ValueDeleted, "B"),
                (ObservationKind.KeyDeleted, string.Empty),
                (ObservationKind.KeyDeleted, string.Empty),
                (ObservationKind.Value, "RequireEncryption"),
            ],
            result.Observations.Select(o => (o.Kind, o.Registry!.Value.ValueName)));
        Assert.Equal(Key + @"\Sub2", result.Observations[6].Registry!.Value.KeyPath);
        Assert.Equal(["POL020", "POL021", "POL022"], result.Diagnostics.Select(d => d.Code));
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Theory]
    [InlineData(0u, "hex:0102", "None with data")]
    [InlineData(5u, "16909060", "big-endian dword")]
    [InlineData(6u, "hex:0102", "link")]
    [InlineData(8u, "hex:0102", "resource list")]
    [InlineData(9u, "hex:0102", "full resource descriptor")]
    [InlineData(10u, "hex:0102", "resource requirements list")]
    public void Parse_OtherTypeCodes_AreKept(uint type, string display, string description)
    {
        byte[] data = type == 5 ? [1, 2, 3, 4] : [1, 2];

        Observation o = Assert.Single(_reader.Parse(Pol.File(Pol.Record("Software\\A", "V", type, data)), "r.pol").Observations);

        Assert.True((RegistryValueType)type == o.Value!.Type, description);
        Assert.Equal(display, o.Value.ToDisplayString());
    }

    public static TheoryData<string, byte[], string, long> MalformedFiles()
    {
        const string Key = @"Software\Policies\Microsoft\Windows\LanmanWorkstation";
        const string Name = "AllowInsecureGuestAuth";
        byte[] good = Pol.Record(Key, Name, 4, Pol.DWord(0));
        byte[] header = Pol.File();
        int keySemicolon = 2 + ((Key.Length + 1) * 2);
        int typeField = keySemicolon + 2 + ((Name.Length + 1) * 2) + 2;
        int sizeField = typeField + 4 + 2;
        return new()
        {
            { "empty file", [], "POL001", 0 },
            { "wrong signature", [.. "PRex"u8, 1, 0, 0, 0], "POL001", 0 },
            { "version 2", [.. "PReg"u8, 2, 0, 0, 0], "POL002", 4 },
            { "record not starting with [", [.. header, (byte)'x', 0], "POL010", 8 },
            { "key without NUL", [.. header, .. good[..20]], "POL011", 10 },
            { "no ; after key", Pol.File(Replace(good, keySemicolon, [(byte)':', 0])), "POL012", 8 + keySemicolon },
            { "type cut short", [.. header, .. good[..(typeField + 2)]], "POL013", 8 + typeField },
            { "absurd size", Pol.File(Pol.RawRecord(Key, Name, 4, 0xFFFFFFF0u, [1, 0, 0, 0])), "POL014", 8 + sizeField },
            { "missing ]", Pol.File(good[..^2]), "POL013", 8 + good.Length - 2 },
            { "wrong closing char", Pol.File([.. good[..^2], (byte)')', 0]), "POL015", 8 + good.Length - 2 },
            { "one stray byte", [.. header, 0x5B], "POL023", 8 },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Parse_Malformed_ReportsCodeAndByteOffset(string description, byte[] file, string code, long offset)
    {
        SourceReadResult result = _reader.Parse(file, "bad.pol");

        SourceDiagnostic d = Assert.Single(result.Diagnostics);
        Assert.True(code == d.Code, $"{description}: {d}");
        Assert.Equal(offset, d.Location.ByteOffset);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.StartsWith("bad.pol@" + offset.ToString(CultureInfo.InvariantCulture) + ": error " + code, d.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AbsurdSize_DoesNotAllocateIt()
    {
        byte[] file = Pol.File(Pol.RawRecord(@"Software\A", "V", 3, 0x7FFFFFF0u, [1, 2, 3]));
        _reader.Parse(file, "warmup.pol");

        long before = GC.GetAllocatedBytesForCurrentThread();
        SourceReadResult result = _reader.Parse(file, "bad.pol");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("POL014", Assert.Single(result.Diagnostics).Code);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Parse_DWordOfWrongSize_WarnsAndKeepsBytes()
    {
        SourceReadResult result = _reader.Parse(Pol.File(Pol.Record(@"Software\A", "V", 4, [1, 0, 0])), "r.pol");

        Assert.Equal("POL016", Assert.Single(result.Diagnostics).Code);
        Assert.False(Assert.Single(result.Observations).Value!.TryGetUInt32(out _));
    }

    [Fact]
    public void Parse_CorruptRecordInTheMiddle_ResynchronisesOnTheNextRecord()
    {
        byte[] first = Pol.Record(@"Software\A", "One", 4, Pol.DWord(1));
        byte[] broken = Replace(Pol.Record(@"Software\A", "Two", 4, Pol.DWord(2)), 2 + 22, [(byte)'!', 0]);
        byte[] third = Pol.Record(@"Software\A", "Three", 4, Pol.DWord(3));

        SourceReadResult result = _reader.Parse(Pol.File(first, broken, third), "r.pol");

        Assert.Equal("POL012", Assert.Single(result.Diagnostics).Code);
        Assert.Equal(["One", "Three"], result.Observations.Select(o => o.Registry!.Value.ValueName));
    }

    [Fact]
    public void Parse_EveryTruncation_ReportsAnErrorAndKeepsTheCompleteRecords()
    {
        byte[] whole = TestFiles.Bytes(SamplePol);
        SourceReadResult full = _reader.Parse(whole, "r.pol");
        HashSet<long> recordEnds = [.. full.Observations.Select(o => o.Location.ByteOffset).Skip(1), whole.Length];

        // Every offset of the first 2 KiB, every record boundary and its neighbours, and a stride through the rest.
        IEnumerable<int> lengths = Enumerable.Range(0, 2048)
            .Concat(recordEnds.SelectMany(e => new[] { (int)e - 1, (int)e, (int)e + 1 }))
            .Concat(Enumerable.Range(0, whole.Length / 7).Select(i => i * 7))
            .Where(l => l >= 0 && l < whole.Length)
            .Distinct();
        foreach (int length in lengths)
        {
            SourceReadResult cut = _reader.Parse(whole.AsSpan(0, length), "r.pol");

            bool atBoundary = length == 8 || recordEnds.Contains(length);
            Assert.True(atBoundary ? !cut.HasErrors : cut.HasErrors, $"length {length}: {TestFiles.Codes(cut)}");
            Assert.True(cut.Observations.Count <= full.Observations.Count);
            for (int i = 0; i < cut.Observations.Count; i++)
            {
                TestFiles.AssertSameObservation(full.Observations[i], cut.Observations[i]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8192)]
    public void Read_ChunkedStream_SameAsWholeFile(int chunk)
    {
        byte[] whole = TestFiles.Bytes(SamplePol);

        TestFiles.AssertSameObservations(_reader.Parse(whole, "r.pol"), _reader.Read(new ChunkedStream(whole, chunk), "r.pol"));
    }

    [Fact]
    public void Parse_UserHive_MarksObservationsAsCurrentUser()
    {
        RegistryPolReader user = new(RegistryHive.CurrentUser);

        Observation o = Assert.Single(user.Parse(Pol.File(Pol.Record(@"Software\A", "V", 4, Pol.DWord(1))), "u.pol").Observations);

        Assert.Equal(RegistryHive.CurrentUser, o.Hive);
    }

    private static byte[] Replace(byte[] source, int at, byte[] with)
    {
        byte[] copy = (byte[])source.Clone();
        with.CopyTo(copy, at);
        return copy;
    }
}

/// <summary>Builds PReg files for tests (MS-GPREG layout).</summary>
internal static class Pol
{
    public static byte[] File(params byte[][] records) => [.. "PReg"u8, 1, 0, 0, 0, .. records.SelectMany(r => r)];

    public static byte[] Record(string key, string name, uint type, byte[] data) => RawRecord(key, name, type, (uint)data.Length, data);

    public static byte[] RawRecord(string key, string name, uint type, uint size, byte[] data)
    {
        List<byte> b = [];
        b.AddRange(Encoding.Unicode.GetBytes("["));
        b.AddRange(Encoding.Unicode.GetBytes(key + "\0"));
        b.AddRange(Encoding.Unicode.GetBytes(";"));
        b.AddRange(Encoding.Unicode.GetBytes(name + "\0"));
        b.AddRange(Encoding.Unicode.GetBytes(";"));
        b.AddRange(U32(type));
        b.AddRange(Encoding.Unicode.GetBytes(";"));
        b.AddRange(U32(size));
        b.AddRange(Encoding.Unicode.GetBytes(";"));
        b.AddRange(data);
        b.AddRange(Encoding.Unicode.GetBytes("]"));
        return [.. b];
    }

    public static byte[] Sz(string s) => Encoding.Unicode.GetBytes(s + "\0");

    public static byte[] DWord(uint v) => U32(v);

    private static byte[] U32(uint v)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }
}
