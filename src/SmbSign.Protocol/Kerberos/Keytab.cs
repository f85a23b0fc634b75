using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SmbSign.Protocol.Kerberos;

/// <summary>One key of a keytab: a principal, its key version number and an encryption key. The key never appears in
/// <see cref="ToString"/>.</summary>
public sealed class KeytabEntry
{
    internal KeytabEntry(string realm, IReadOnlyList<string> components, uint nameType, uint timestamp, uint kvno, int encryptionType, byte[] key, long offset)
    {
        Realm = realm;
        Components = components;
        NameType = nameType;
        Timestamp = timestamp;
        Kvno = kvno;
        EncryptionType = encryptionType;
        Key = key;
        Offset = offset;
    }

    public string Realm { get; }

    /// <summary>The name components, e.g. ["cifs", "dc.samdom.example.com"].</summary>
    public IReadOnlyList<string> Components { get; }

    public uint NameType { get; }

    /// <summary>Seconds since 1970 when the key was written (informational).</summary>
    public uint Timestamp { get; }

    /// <summary>Key version number (the 32-bit field when present and non-zero, else the 8-bit one).</summary>
    public uint Kvno { get; }

    public int EncryptionType { get; }

    /// <summary>The key bytes (never printed by <see cref="ToString"/>; <see cref="Keytab.Clear"/> zeroes them).</summary>
    public byte[] Key { get; }

    /// <summary>Byte offset of the entry's length field in the file.</summary>
    public long Offset { get; }

    /// <summary>"cifs/dc.samdom.example.com@SAMDOM.EXAMPLE.COM".</summary>
    public string Principal => string.Join('/', Components) + "@" + Realm;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Principal} kvno {Kvno} {KerberosEncryptionTypes.GetName(EncryptionType)}");
}

/// <summary>
/// Reader of the MIT keytab file format, version 0x502 (big-endian; written by ktutil, kadmin, <c>samba-tool domain
/// exportkeytab</c> and Windows ktpass). Layout (MIT krb5 doc "Keytab file format"): a 2-byte version, then records of a
/// signed 32-bit length followed by that many bytes; a negative length is a hole of that many bytes left by a deleted
/// entry. An entry is: number of components (16 bits), realm and components (each a 16-bit length and bytes), name type
/// (32 bits), timestamp (32 bits), 8-bit kvno, key type (16 bits) and key (16-bit length and bytes), then optionally a
/// 32-bit kvno that replaces the 8-bit one when non-zero. Every length is checked against its record and the file;
/// anything else throws <see cref="SmbProtocolException"/> with the byte offset. The file format 0x501 (native byte
/// order, realm counted as a component) is refused by name.
/// </summary>
public static class Keytab
{
    /// <summary>Keytabs of whole domains are a few hundred kilobytes; more than this is not a keytab.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    private const int MaxComponents = 64;

    /// <summary>Parses a whole keytab file. Entries of encryption types this tool cannot use are returned as well
    /// (the caller reports or skips them).</summary>
    public static IReadOnlyList<KeytabEntry> Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length > MaxFileBytes)
        {
            throw new SmbProtocolException($"keytab: the file is larger than {MaxFileBytes / (1024 * 1024)} MiB", 0);
        }

        if (file.Length < 2)
        {
            throw new SmbProtocolException("keytab: offset 0: expected the 2-byte version 0x0502, the file is shorter", 0);
        }

        if (file[0] != 0x05 || file[1] != 0x02)
        {
            string found = string.Create(CultureInfo.InvariantCulture, $"0x{file[0]:X2}{file[1]:X2}");
            throw new SmbProtocolException(file[0] == 0x05 && file[1] == 0x01
                ? "keytab: offset 0: version 0x0501 (native byte order, pre-1997 MIT) is not supported; re-export the keytab (ktutil, samba-tool domain exportkeytab)"
                : $"keytab: offset 0: expected the version 0x0502 of an MIT keytab, found {found}", 0);
        }

        var entries = new List<KeytabEntry>();
        int position = 2;
        while (position < file.Length)
        {
            if (file.Length - position < 4)
            {
                throw Error(position, $"expected a 4-byte record length, {file.Length - position} byte(s) left");
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(file[position..]);
            int recordStart = position + 4;
            if (length == 0)
            {
                // MIT's reader stops at a zero length: what follows is unused space.
                break;
            }

            long size = Math.Abs((long)length);
            if (size > file.Length - recordStart)
            {
                throw Error(position, $"the record length {size} runs past the end of the file ({file.Length - recordStart} byte(s) left)");
            }

            if (length > 0)
            {
                entries.Add(ParseEntry(file.Slice(recordStart, length), recordStart, position));
            }

            position = recordStart + (int)size;
        }

        return entries;
    }

    private static KeytabEntry ParseEntry(ReadOnlySpan<byte> record, int baseOffset, int entryOffset)
    {
        var reader = new Cursor(record, baseOffset);
        int count = reader.UInt16("number of components");
        if (count == 0 || count > MaxComponents)
        {
            throw Error(baseOffset, $"expected 1..{MaxComponents} principal name components, found {count}");
        }

        string realm = reader.CountedString("realm");
        string[] components = new string[count];
        for (int i = 0; i < count; i++)
        {
            components[i] = reader.CountedString("principal component");
        }

        uint nameType = reader.UInt32("name type");
        uint timestamp = reader.UInt32("timestamp");
        uint kvno = reader.UInt8("key version number");
        int keyType = reader.UInt16("key type");
        ReadOnlySpan<byte> key = reader.Counted("key");
        if (KerberosEncryptionTypes.IsSupported(keyType) && key.Length != KerberosEncryptionTypes.KeyLength(keyType))
        {
            throw Error(reader.Offset - key.Length - 2, $"a {KerberosEncryptionTypes.GetName(keyType)} key is {KerberosEncryptionTypes.KeyLength(keyType)} bytes, found {key.Length}");
        }

        if (reader.Remaining >= 4)
        {
            // MIT: the 32-bit kvno follows when the record has room for it; zero means "use the 8-bit one".
            uint kvno32 = reader.UInt32("32-bit key version number");
            if (kvno32 != 0)
            {
                kvno = kvno32;
            }
        }

        return new KeytabEntry(realm, components, nameType, timestamp, kvno, keyType, key.ToArray(), entryOffset);
    }

    /// <summary>Zeroes the keys of <paramref name="entries"/>.</summary>
    public static void Clear(IEnumerable<KeytabEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (KeytabEntry entry in entries)
        {
            CryptographicOperations.ZeroMemory(entry.Key);
        }
    }

    private static SmbProtocolException Error(long offset, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"keytab: offset {offset}: {what}"), offset);

    /// <summary>Big-endian reader over one record; every read is checked against the record's end.</summary>
    private ref struct Cursor
    {
        private readonly ReadOnlySpan<byte> _record;
        private readonly int _base;
        private int _position;

        public Cursor(ReadOnlySpan<byte> record, int baseOffset)
        {
            _record = record;
            _base = baseOffset;
        }

        public readonly int Offset => _base + _position;

        public readonly int Remaining => _record.Length - _position;

        public byte UInt8(string field) => Take(1, field)[0];

        public ushort UInt16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));

        public uint UInt32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

        public ReadOnlySpan<byte> Counted(string field)
        {
            int start = Offset;
            int length = UInt16(field + " length");
            if (length > Remaining)
            {
                throw Error(start, $"the {field} length {length} runs past the end of its record ({Remaining} byte(s) left)");
            }

            return Take(length, field);
        }

        public string CountedString(string field)
        {
            int start = Offset;
            ReadOnlySpan<byte> bytes = Counted(field);
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Error(start, $"the {field} is not valid UTF-8");
            }
        }

        private ReadOnlySpan<byte> Take(int count, string field)
        {
            if (count > Remaining)
            {
                throw Error(Offset, $"expected the {field} ({count} byte(s)), the record has {Remaining} left");
            }

            ReadOnlySpan<byte> slice = _record.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}
