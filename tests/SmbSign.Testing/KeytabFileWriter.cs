using System.Buffers.Binary;
using System.Text;

namespace SmbSign.Testing;

/// <summary>One keytab entry for <see cref="KeytabFileWriter"/>.</summary>
public sealed record KeytabFileEntry(string Realm, string[] Components, int EncryptionType, byte[] Key, uint Kvno);

/// <summary>Writes MIT keytab files (format 0x502, big-endian, as MIT's "Keytab file format" describes it), so tests can
/// make keytabs with a changed key, principal or kvno without a KDC.</summary>
public static class KeytabFileWriter
{
    public static byte[] Write(IEnumerable<KeytabFileEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var file = new MemoryStream();
        file.Write([0x05, 0x02]);
        foreach (KeytabFileEntry entry in entries)
        {
            using var body = new MemoryStream();
            U16(body, entry.Components.Length);
            Str(body, entry.Realm);
            foreach (string component in entry.Components)
            {
                Str(body, component);
            }

            U32(body, 1); // KRB5_NT_PRINCIPAL
            U32(body, 1_700_000_000);
            body.WriteByte((byte)Math.Min(entry.Kvno, 255));
            U16(body, entry.EncryptionType);
            U16(body, entry.Key.Length);
            body.Write(entry.Key);
            U32(body, entry.Kvno);
            U32(file, (uint)body.Length);
            body.Position = 0;
            body.CopyTo(file);
        }

        return file.ToArray();
    }

    private static void U16(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        stream.Write(bytes);
    }

    private static void U32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void Str(Stream stream, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        U16(stream, bytes.Length);
        stream.Write(bytes);
    }
}
