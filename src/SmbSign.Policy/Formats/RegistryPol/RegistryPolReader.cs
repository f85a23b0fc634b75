using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.RegistryPol;

/// <summary>Reads <c>Registry.pol</c> (PReg version 1, MS-GPREG "Registry Policy File Format"): the 8-byte header
/// <c>50 52 65 67 01 00 00 00</c>, then records <c>[key;valueName;type;size;data]</c> where brackets, semicolons,
/// key and value name are UTF-16LE (names NUL-terminated) and type and size are raw little-endian u32. Every type
/// code is accepted (0–11 and beyond; unknown codes are kept as bytes). Type-0 records with an empty value name
/// create the key. Directives: <c>**del.Name</c>, <c>**delvals.</c>, <c>**DeleteValues</c> (data: <c>a;b</c>),
/// <c>**DeleteKeys</c> (data: subkeys <c>a;b</c>), <c>**SecureKey</c> (ACL, ignored with an info),
/// <c>**soft.Name</c> (read as a value, with an info). Provenance is the byte offset of the record's '['.
/// A size field larger than the rest of the file is reported, never allocated.</summary>
/// <remarks>Codes: POL001 bad signature, POL002 unsupported version, POL010 '[' expected, POL011 name not
/// terminated, POL012 ';' expected, POL013 type/size field cut short, POL014 data size beyond the end of the file,
/// POL015 ']' expected, POL016 integer data of the wrong size, POL020 **SecureKey ignored, POL021 **soft value,
/// POL022 unknown directive, POL023 one stray byte at the end. After a framing error the reader resynchronises on the next
/// <c>]</c><c>[</c> pair.</remarks>
public sealed class RegistryPolReader : SourceReader
{
    /// <summary>"PReg".</summary>
    public static ReadOnlySpan<byte> Signature => [0x50, 0x52, 0x65, 0x67];

    private const int HeaderSize = 8;
    private const int MaxNameChars = 32767;
    private const char Open = '[';
    private const char Close = ']';
    private const char Separator = ';';

    /// <summary>Creates a reader for a machine (HKLM) or user (HKCU) Registry.pol.</summary>
    public RegistryPolReader(RegistryHive hive = RegistryHive.LocalMachine)
    {
        Hive = hive;
    }

    /// <summary>The hive the file applies to (the file itself does not say: Machine\ or User\ does).</summary>
    public RegistryHive Hive { get; }

    /// <inheritdoc/>
    public override SourceFormat Format => SourceFormat.RegistryPol;

    /// <inheritdoc/>
    protected internal override void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context)
    {
        if (content.Length < HeaderSize || !content[..4].SequenceEqual(Signature))
        {
            context.ErrorAtOffset(0, DiagnosticCodes.Pol001, string.Create(CultureInfo.InvariantCulture, $"expected the signature \"PReg\" (50 52 65 67) and a version at the start; the file is {content.Length} byte(s) long and starts with {Convert.ToHexString(content[..Math.Min(4, content.Length)])}"));
            return;
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(content[4..8]);
        if (version != 1)
        {
            context.ErrorAtOffset(4, DiagnosticCodes.Pol002, string.Create(CultureInfo.InvariantCulture, $"unsupported version {version}; expected 1"));
            return;
        }

        string? lastKey = null;
        int pos = HeaderSize;
        while (pos < content.Length)
        {
            if (content.Length - pos == 1)
            {
                context.ErrorAtOffset(pos, DiagnosticCodes.Pol023, "the file ends with one stray byte where a record starting with '[' (5B 00) was expected; the file is truncated");
                break;
            }

            int start = pos;
            if (!TryRecord(content, ref pos, context, ref lastKey))
            {
                int next = Resynchronise(content, Math.Max(pos, start + 2));
                if (next < 0)
                {
                    break;
                }

                pos = next;
            }
        }
    }

    private bool TryRecord(ReadOnlySpan<byte> content, ref int pos, SourceReadContext context, ref string? lastKey)
    {
        int start = pos;
        if (ReadChar(content, pos) != Open)
        {
            context.ErrorAtOffset(pos, DiagnosticCodes.Pol010, "expected '[' (5B 00) starting a record");
            return false;
        }

        pos += 2;
        if (!TryReadName(content, ref pos, "key", context, out ReadOnlySpan<byte> keyBytes) || !Expect(content, ref pos, Separator, "after the key", context))
        {
            return false;
        }

        if (!TryReadName(content, ref pos, "value name", context, out ReadOnlySpan<byte> nameBytes) || !Expect(content, ref pos, Separator, "after the value name", context))
        {
            return false;
        }

        if (!TryReadUInt32(content, ref pos, "type", context, out uint type) || !Expect(content, ref pos, Separator, "after the type", context))
        {
            return false;
        }

        if (!TryReadUInt32(content, ref pos, "size", context, out uint size) || !Expect(content, ref pos, Separator, "after the size", context))
        {
            return false;
        }

        if (size > (uint)(content.Length - pos))
        {
            context.ErrorAtOffset(pos - 6, DiagnosticCodes.Pol014, string.Create(CultureInfo.InvariantCulture, $"data size {size} goes beyond the end of the file ({content.Length - pos} byte(s) left); the file is truncated or corrupt"));
            return false;
        }

        ReadOnlySpan<byte> data = content.Slice(pos, (int)size);
        pos += (int)size;
        if (!Expect(content, ref pos, Close, "after the data", context))
        {
            return false;
        }

        string key = Decode(keyBytes, ref lastKey);
        string name = Encoding.Unicode.GetString(nameBytes);
        Emit(key, name, (RegistryValueType)type, data, context.Offset(start), context);
        return true;
    }

    private void Emit(string key, string name, RegistryValueType type, ReadOnlySpan<byte> data, SourceLocation location, SourceReadContext context)
    {
        if (name.Length == 0 && type == RegistryValueType.None && data.IsEmpty)
        {
            context.Add(Observation.ForMarker(ObservationKind.KeyCreated, Hive, new RegistryIdentity(key, string.Empty), location));
            return;
        }

        if (name.StartsWith("**", StringComparison.Ordinal))
        {
            EmitDirective(key, name, type, data, location, context);
            return;
        }

        AddValue(key, name, type, data, location, context);
    }

    private void EmitDirective(string key, string name, RegistryValueType type, ReadOnlySpan<byte> data, SourceLocation location, SourceReadContext context)
    {
        if (name.StartsWith("**del.", StringComparison.OrdinalIgnoreCase))
        {
            context.Add(Observation.ForMarker(ObservationKind.ValueDeleted, Hive, new RegistryIdentity(key, name["**del.".Length..]), location));
        }
        else if (name.StartsWith("**delvals", StringComparison.OrdinalIgnoreCase))
        {
            context.Add(Observation.ForMarker(ObservationKind.AllValuesDeleted, Hive, new RegistryIdentity(key, string.Empty), location));
        }
        else if (name.Equals("**DeleteValues", StringComparison.OrdinalIgnoreCase))
        {
            foreach (string value in SplitList(data))
            {
                context.Add(Observation.ForMarker(ObservationKind.ValueDeleted, Hive, new RegistryIdentity(key, value), location));
            }
        }
        else if (name.Equals("**DeleteKeys", StringComparison.OrdinalIgnoreCase))
        {
            foreach (string sub in SplitList(data))
            {
                context.Add(Observation.ForMarker(ObservationKind.KeyDeleted, Hive, new RegistryIdentity(key + "\\" + sub, string.Empty), location));
            }
        }
        else if (name.Equals("**SecureKey", StringComparison.OrdinalIgnoreCase))
        {
            context.Report(DiagnosticSeverity.Info, DiagnosticCodes.Pol020, $"**SecureKey on {key} sets the key's security, not a value; ignored", location);
        }
        else if (name.StartsWith("**soft.", StringComparison.OrdinalIgnoreCase))
        {
            string valueName = name["**soft.".Length..];
            context.Report(DiagnosticSeverity.Info, DiagnosticCodes.Pol021, $"**soft.{valueName}: applied only when the value does not exist yet; read as a value", location);
            AddValue(key, valueName, type, data, location, context);
        }
        else
        {
            context.Report(DiagnosticSeverity.Warning, DiagnosticCodes.Pol022, $"unknown directive \"{name}\" on {key}; expected **del., **delvals., **DeleteValues, **DeleteKeys, **SecureKey or **soft.; ignored", location);
        }
    }

    private void AddValue(string key, string name, RegistryValueType type, ReadOnlySpan<byte> data, SourceLocation location, SourceReadContext context)
    {
        RegistryValue value = RegistryValue.FromRaw(type, data, out string? problem);
        if (problem is not null)
        {
            context.Report(DiagnosticSeverity.Warning, DiagnosticCodes.Pol016, $"{key}\\{name}: {problem}; kept as bytes", location);
        }

        context.Add(Observation.ForValue(Hive, new RegistryIdentity(key, name), value, location));
    }

    private static List<string> SplitList(ReadOnlySpan<byte> data)
    {
        string text = RegistryValue.DecodeString(data, Encoding.Unicode, out _);
        List<string> items = [];
        foreach (string item in text.Split(';'))
        {
            string trimmed = item.Trim();
            if (trimmed.Length > 0)
            {
                items.Add(trimmed);
            }
        }

        return items;
    }

    private static string Decode(ReadOnlySpan<byte> bytes, ref string? last)
    {
        // Consecutive records usually share their key: reuse the previous string instead of allocating again.
        if (BitConverter.IsLittleEndian && last is not null && MemoryMarshal.AsBytes(last.AsSpan()).SequenceEqual(bytes))
        {
            return last;
        }

        last = Encoding.Unicode.GetString(bytes);
        return last;
    }

    private static int ReadChar(ReadOnlySpan<byte> content, int pos) =>
        pos + 2 <= content.Length ? BinaryPrimitives.ReadUInt16LittleEndian(content.Slice(pos, 2)) : -1;

    private static bool Expect(ReadOnlySpan<byte> content, ref int pos, char expected, string where, SourceReadContext context)
    {
        int c = ReadChar(content, pos);
        if (c == expected)
        {
            pos += 2;
            return true;
        }

        context.ErrorAtOffset(pos, c < 0 ? DiagnosticCodes.Pol013 : expected == Close ? DiagnosticCodes.Pol015 : DiagnosticCodes.Pol012, c < 0
            ? $"the file ends where '{expected}' was expected {where}; the file is truncated"
            : string.Create(CultureInfo.InvariantCulture, $"expected '{expected}' ({(int)expected:X2} 00) {where}, found {c & 0xFF:X2} {c >> 8:X2}"));
        return false;
    }

    private static bool TryReadName(ReadOnlySpan<byte> content, ref int pos, string what, SourceReadContext context, out ReadOnlySpan<byte> name)
    {
        int start = pos;
        int limit = Math.Min(content.Length, start + ((MaxNameChars + 1) * 2));
        for (int i = start; i + 1 < limit; i += 2)
        {
            if (content[i] == 0 && content[i + 1] == 0)
            {
                name = content[start..i];
                pos = i + 2;
                return true;
            }
        }

        name = default;
        context.ErrorAtOffset(start, DiagnosticCodes.Pol011, limit == content.Length
            ? $"the {what} has no terminating NUL (00 00) before the end of the file; the file is truncated"
            : string.Create(CultureInfo.InvariantCulture, $"the {what} is longer than {MaxNameChars} characters without a terminating NUL; the file is corrupt"));
        pos = start;
        return false;
    }

    private static bool TryReadUInt32(ReadOnlySpan<byte> content, ref int pos, string what, SourceReadContext context, out uint value)
    {
        if (content.Length - pos < 4)
        {
            value = 0;
            context.ErrorAtOffset(pos, DiagnosticCodes.Pol013, $"the {what} field needs 4 bytes but the file ends; the file is truncated");
            return false;
        }

        value = BinaryPrimitives.ReadUInt32LittleEndian(content.Slice(pos, 4));
        pos += 4;
        return true;
    }

    /// <summary>Finds the next "][" (5D 00 5B 00) at or after <paramref name="from"/> and returns the offset of '['.</summary>
    private static int Resynchronise(ReadOnlySpan<byte> content, int from)
    {
        ReadOnlySpan<byte> marker = [0x5D, 0x00, 0x5B, 0x00];
        if (from >= content.Length)
        {
            return -1;
        }

        int at = content[from..].IndexOf(marker);
        return at < 0 ? -1 : from + at + 2;
    }
}
