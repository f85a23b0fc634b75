using System.Buffers.Binary;
using System.Text;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.RegistryPol;

/// <summary>
/// Writes a <c>Registry.pol</c> (PReg version 1, MS-GPREG; docs/reference/policy.md §7.4) that <see cref="RegistryPolReader"/>
/// and the Group Policy registry extension read: the header <c>PReg</c> + version 1, then one
/// <c>[key;valueName;type;size;data]</c> record per change, where brackets, semicolons, key and value name are
/// UTF-16LE (names NUL-terminated, the key without hive), type and size raw little-endian u32, data the value's
/// in-registry bytes. A deletion is the <c>**del.Name</c> record (type REG_SZ, data a single space). Pure: returns bytes.
/// </summary>
public static class RegistryPolWriter
{
    /// <summary>The value-name prefix of a deletion record.</summary>
    public const string DeletePrefix = "**del.";

    /// <summary>The file's bytes.</summary>
    public static byte[] Write(IEnumerable<RegistryChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        using var stream = new MemoryStream();
        stream.Write(RegistryPolReader.Signature);
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, 1);
        stream.Write(u32);
        foreach (RegistryChange change in changes)
        {
            string valueName = change.Value is null ? DeletePrefix + change.Identity.ValueName : change.Identity.ValueName;
            RegistryValueType type = change.Value?.Type ?? RegistryValueType.String;
            byte[] data = change.Value?.ToBytes() ?? Encoding.Unicode.GetBytes(" \0");
            if (change.Identity.KeyPath.Length == 0)
            {
                throw new ArgumentException($"{change.Identity}: a Registry.pol record needs a key", nameof(changes));
            }

            WriteChar(stream, '[');
            WriteName(stream, change.Identity.KeyPath);
            WriteChar(stream, ';');
            WriteName(stream, valueName);
            WriteChar(stream, ';');
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)type);
            stream.Write(u32);
            WriteChar(stream, ';');
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)data.Length);
            stream.Write(u32);
            WriteChar(stream, ';');
            stream.Write(data);
            WriteChar(stream, ']');
        }

        return stream.ToArray();
    }

    private static void WriteChar(MemoryStream stream, char c)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, c);
        stream.Write(b);
    }

    private static void WriteName(MemoryStream stream, string name)
    {
        stream.Write(Encoding.Unicode.GetBytes(name));
        WriteChar(stream, '\0');
    }
}
