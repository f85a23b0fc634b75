using System.Buffers.Binary;
using Text = System.Text;
using SmbSign.Protocol.Kerberos;

namespace SmbSign.Protocol.Tests.Kerberos;

public sealed class KeytabTests
{
    /// <summary>Writes one keytab entry as MIT's format describes it (the test's own writer, big-endian).</summary>
    internal static byte[] Entry(string realm, string[] components, int etype, byte[] key, byte kvno8, uint? kvno32 = null)
    {
        using var body = new MemoryStream();
        void U16(int v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); body.Write(b); }
        void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); body.Write(b); }
        void Str(string s) { byte[] b = Text.Encoding.UTF8.GetBytes(s); U16(b.Length); body.Write(b); }
        U16(components.Length);
        Str(realm);
        foreach (string c in components)
        {
            Str(c);
        }

        U32(1); // KRB5_NT_PRINCIPAL
        U32(1_700_000_000);
        body.WriteByte(kvno8);
        U16(etype);
        U16(key.Length);
        body.Write(key);
        if (kvno32 is { } v32)
        {
            U32(v32);
        }

        byte[] record = body.ToArray();
        byte[] result = new byte[4 + record.Length];
        BinaryPrimitives.WriteInt32BigEndian(result, record.Length);
        record.CopyTo(result, 4);
        return result;
    }

    internal static byte[] File(params byte[][] entries) => [0x05, 0x02, .. entries.SelectMany(e => e)];

    [Fact]
    public void Parse_EntriesWithHoleAndKvno32_ReadsEveryField()
    {
        byte[] aes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] rc4 = Enumerable.Range(0, 16).Select(i => (byte)(0xF0 - i)).ToArray();
        byte[] hole = [0xFF, 0xFF, 0xFF, 0xF8, 1, 2, 3, 4, 5, 6, 7, 8]; // length -8: a deleted entry
        byte[] file = File(Entry("SAMDOM.EXAMPLE.COM", ["cifs", "dc.samdom.example.com"], 18, aes, 2), hole,
            Entry("SAMDOM.EXAMPLE.COM", ["DC$"], 23, rc4, 0xFF, 300));

        IReadOnlyList<KeytabEntry> entries = Keytab.Parse(file);

        Assert.Equal(2, entries.Count);
        Assert.Equal("cifs/dc.samdom.example.com@SAMDOM.EXAMPLE.COM", entries[0].Principal);
        Assert.Equal(2u, entries[0].Kvno);
        Assert.Equal(18, entries[0].EncryptionType);
        Assert.Equal(aes, entries[0].Key);
        Assert.Equal(1u, entries[0].NameType);
        Assert.Equal("DC$@SAMDOM.EXAMPLE.COM", entries[1].Principal);
        Assert.Equal(300u, entries[1].Kvno); // the 32-bit kvno replaces the 8-bit one
        Assert.Equal(rc4, entries[1].Key);
        Assert.DoesNotContain("00010203", entries[0].ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("DC$@SAMDOM.EXAMPLE.COM kvno 300 rc4-hmac", entries[1].ToString());
    }

    [Fact]
    public void Parse_ZeroRecordLength_EndsTheFile()
    {
        byte[] file = [.. File(Entry("R", ["a"], 23, new byte[16], 1)), 0, 0, 0, 0, 0xDE, 0xAD];

        Assert.Single(Keytab.Parse(file));
    }

    public static TheoryData<string, byte[], string> HostileFiles()
    {
        byte[] good = Entry("R", ["host", "h"], 18, new byte[32], 1);
        return new TheoryData<string, byte[], string>
        {
            { "empty", [], "offset 0: expected the 2-byte version" },
            { "version 0x0501", [0x05, 0x01], "0x0501" },
            { "ccache, not keytab", [0x05, 0x04, 0, 0], "found 0x0504" },
            { "truncated record length", [0x05, 0x02, 0, 0], "offset 2: expected a 4-byte record length" },
            { "record past end", [0x05, 0x02, 0x7F, 0xFF, 0xFF, 0xFF, 1], "offset 2: the record length 2147483647 runs past the end" },
            { "hole past end", [0x05, 0x02, 0x80, 0x00, 0x00, 0x00], "offset 2: the record length 2147483648 runs past the end" },
            { "zero components", File([0, 0, 0, 2, 0, 0]), "offset 6: expected 1..64 principal name components, found 0" },
            { "realm length past record", File([0, 0, 0, 4, 0, 1, 0, 9]), "offset 8: the realm length 9 runs past the end of its record" },
            { "truncated entry", File(good[..^5].Select((b, i) => i == 3 ? (byte)(b - 5) : b).ToArray()), "offset 31: the key length 32 runs past the end of its record" },
            { "aes256 key of 31 bytes", File(Entry("R", ["h"], 18, new byte[31], 1)), "a aes256-cts-hmac-sha1-96 key is 32 bytes, found 31" },
        };
    }

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void Parse_HostileFile_ThrowsWithOffset(string description, byte[] file, string expected)
    {
        SmbProtocolException e = Assert.Throws<SmbProtocolException>(() => Keytab.Parse(file));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Offset);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void Parse_EveryTruncation_ThrowsOnlySmbProtocolException()
    {
        byte[] file = File(Entry("SAMDOM.EXAMPLE.COM", ["cifs", "dc"], 18, new byte[32], 2, 2), Entry("R", ["x"], 23, new byte[16], 1));
        for (int length = 0; length < file.Length; length++)
        {
            byte[] cut = file[..length];
            try
            {
                Keytab.Parse(cut);
            }
            catch (SmbProtocolException)
            {
            }
        }
    }
}
