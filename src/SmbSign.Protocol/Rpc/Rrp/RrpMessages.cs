using System.Globalization;

namespace SmbSign.Protocol.Rpc.Rrp;

/// <summary>[MS-RRP] 3.1.5 operation numbers of the winreg interface that SmbSign calls.</summary>
public static class RrpOpnum
{
    public const ushort OpenLocalMachine = 2;
    public const ushort BaseRegCloseKey = 5;
    public const ushort BaseRegEnumKey = 9;
    public const ushort BaseRegEnumValue = 10;
    public const ushort BaseRegOpenKey = 15;
    public const ushort BaseRegQueryValue = 17;
}

/// <summary>Win32 error codes MS-RRP methods return ([MS-ERREF] 2.2).</summary>
public static class Win32Error
{
    public const uint Success = 0;
    public const uint FileNotFound = 2;
    public const uint AccessDenied = 5;
    public const uint InvalidHandle = 6;
    public const uint InvalidParameter = 87;
    public const uint MoreData = 234;
    public const uint NoMoreItems = 259;

    /// <summary><c>ERROR_ACCESS_DENIED (5)</c>, or the bare number for codes without a name here.</summary>
    public static string Describe(uint code) => code switch
    {
        Success => "ERROR_SUCCESS (0)",
        FileNotFound => "ERROR_FILE_NOT_FOUND (2)",
        AccessDenied => "ERROR_ACCESS_DENIED (5)",
        InvalidHandle => "ERROR_INVALID_HANDLE (6)",
        InvalidParameter => "ERROR_INVALID_PARAMETER (87)",
        MoreData => "ERROR_MORE_DATA (234)",
        NoMoreItems => "ERROR_NO_MORE_ITEMS (259)",
        1018 => "ERROR_KEY_DELETED (1018)",
        _ => string.Create(CultureInfo.InvariantCulture, $"Win32 error {code} (0x{code:X})"),
    };
}

/// <summary>A handle-returning call's result: OpenLocalMachine, BaseRegOpenKey.</summary>
public readonly record struct RrpHandleResult(RpcContextHandle Handle, uint Error);

/// <summary>BaseRegQueryValue's result: the REG_* type, the data sent, the size the value needs (lpcbData), the error.</summary>
public sealed record RrpValueResult(uint? Type, byte[] Data, uint? RequiredSize, uint Error);

/// <summary>BaseRegEnumValue's result.</summary>
public sealed record RrpEnumValueResult(string? Name, uint? Type, byte[] Data, uint? RequiredSize, uint Error);

/// <summary>BaseRegEnumKey's result.</summary>
public sealed record RrpEnumKeyResult(string? Name, uint Error);

/// <summary>
/// Stub encoders and decoders for the MS-RRP calls a read-only audit needs ([MS-RRP] 3.1.5). Requests are NDR 2.0 as
/// the IDL in [MS-RRP] 6 lays them out; every decoder checks each count and length against the stub and against the
/// caps (<see cref="MaxNameChars"/>, the caller's data cap), so a hostile server cannot make it allocate or loop
/// without bound.
/// </summary>
public static class RrpMessages
{
    /// <summary>[MS-RRP] 3.1.1.1: key and value names are at most 16,383 characters (plus the NUL).</summary>
    public const int MaxNameChars = 16_384;

    /// <summary>KEY_READ: query values, enumerate subkeys, notify, read control ([MS-RRP] 2.2.3 REGSAM).</summary>
    public const uint KeyRead = 0x0002_0019;

    /// <summary>[MS-RRP] 3.1.5.3 OpenLocalMachine: ServerName NULL (a unique pointer), samDesired.</summary>
    public static byte[] OpenLocalMachine(uint access = KeyRead)
    {
        var ndr = new NdrWriter();
        ndr.WritePointer(false);
        ndr.WriteUInt32(access);
        return ndr.ToArray();
    }

    /// <summary>[MS-RRP] 3.1.5.16 BaseRegOpenKey: hKey, lpSubKey, dwOptions 0, samDesired.</summary>
    public static byte[] OpenKey(RpcContextHandle parent, string subKey, uint access = KeyRead)
    {
        ArgumentNullException.ThrowIfNull(subKey);
        var ndr = new NdrWriter();
        ndr.WriteContextHandle(parent);
        ndr.WriteUnicodeString(subKey);
        ndr.WriteUInt32(0);
        ndr.WriteUInt32(access);
        return ndr.ToArray();
    }

    /// <summary>[MS-RRP] 3.1.5.6 BaseRegCloseKey.</summary>
    public static byte[] CloseKey(RpcContextHandle handle)
    {
        var ndr = new NdrWriter();
        ndr.WriteContextHandle(handle);
        return ndr.ToArray();
    }

    /// <summary>[MS-RRP] 3.1.5.17 BaseRegQueryValue: hKey, lpValueName, lpType, lpData (capacity
    /// <paramref name="bufferSize"/>), lpcbData = <paramref name="bufferSize"/>, lpcbLen = 0.</summary>
    public static byte[] QueryValue(RpcContextHandle handle, string valueName, uint bufferSize)
    {
        ArgumentNullException.ThrowIfNull(valueName);
        var ndr = new NdrWriter();
        ndr.WriteContextHandle(handle);
        ndr.WriteUnicodeString(valueName);
        ndr.WriteUInt32Pointer(0);
        ndr.WriteEmptyByteBuffer(bufferSize);
        ndr.WriteUInt32Pointer(bufferSize);
        ndr.WriteUInt32Pointer(0);
        return ndr.ToArray();
    }

    /// <summary>[MS-RRP] 3.1.5.11 BaseRegEnumValue: hKey, dwIndex, lpValueNameIn (an empty buffer of
    /// <paramref name="nameBytes"/>), lpType, lpData (capacity <paramref name="dataSize"/>), lpcbData, lpcbLen.</summary>
    public static byte[] EnumValue(RpcContextHandle handle, uint index, int nameBytes, uint dataSize)
    {
        var ndr = new NdrWriter();
        ndr.WriteContextHandle(handle);
        ndr.WriteUInt32(index);
        ndr.WriteUnicodeString(null, nameBytes);
        ndr.WriteUInt32Pointer(0);
        ndr.WriteEmptyByteBuffer(dataSize);
        ndr.WriteUInt32Pointer(dataSize);
        ndr.WriteUInt32Pointer(0);
        return ndr.ToArray();
    }

    /// <summary>[MS-RRP] 3.1.5.10 BaseRegEnumKey: hKey, dwIndex, lpNameIn (an empty buffer of <paramref name="nameBytes"/>),
    /// lpClassIn (an empty class string), lpftLastWriteTime (zero).</summary>
    public static byte[] EnumKey(RpcContextHandle handle, uint index, int nameBytes)
    {
        var ndr = new NdrWriter();
        ndr.WriteContextHandle(handle);
        ndr.WriteUInt32(index);
        ndr.WriteUnicodeString(null, nameBytes);
        ndr.WritePointer(true);
        ndr.WriteUnicodeString(null, 0);
        ndr.WritePointer(true);
        ndr.WriteUInt32(0);
        ndr.WriteUInt32(0);
        return ndr.ToArray();
    }

    /// <summary>OpenLocalMachine / BaseRegOpenKey response: the handle and the error.</summary>
    public static RrpHandleResult ParseHandle(ReadOnlySpan<byte> stub, string what)
    {
        var reader = new NdrReader(stub, what);
        RpcContextHandle handle = reader.ReadContextHandle();
        uint error = reader.ReadUInt32();
        return new RrpHandleResult(handle, error);
    }

    /// <summary>BaseRegCloseKey response: the (zeroed) handle and the error.</summary>
    public static uint ParseClose(ReadOnlySpan<byte> stub)
    {
        var reader = new NdrReader(stub, "BaseRegCloseKey response");
        reader.ReadContextHandle();
        return reader.ReadUInt32();
    }

    /// <summary>BaseRegQueryValue response; at most <paramref name="maxData"/> data bytes are accepted.</summary>
    public static RrpValueResult ParseQueryValue(ReadOnlySpan<byte> stub, int maxData)
    {
        var reader = new NdrReader(stub, "BaseRegQueryValue response");
        uint? type = reader.ReadUInt32Pointer();
        byte[] data = reader.ReadPointer() ? reader.ReadConformantVaryingArray(1, maxData, "lpData").ToArray() : [];
        uint? required = reader.ReadUInt32Pointer();
        uint? length = reader.ReadUInt32Pointer();
        uint error = reader.ReadUInt32();
        return new RrpValueResult(type, Trim(data, length), required, error);
    }

    /// <summary>BaseRegEnumValue response; at most <paramref name="maxData"/> data bytes are accepted.</summary>
    public static RrpEnumValueResult ParseEnumValue(ReadOnlySpan<byte> stub, int maxData)
    {
        var reader = new NdrReader(stub, "BaseRegEnumValue response");
        string? name = reader.ReadUnicodeString(MaxNameChars, "lpValueNameOut");
        uint? type = reader.ReadUInt32Pointer();
        byte[] data = reader.ReadPointer() ? reader.ReadConformantVaryingArray(1, maxData, "lpData").ToArray() : [];
        uint? required = reader.ReadUInt32Pointer();
        uint? length = reader.ReadUInt32Pointer();
        uint error = reader.ReadUInt32();
        return new RrpEnumValueResult(name, type, Trim(data, length), required, error);
    }

    /// <summary>BaseRegEnumKey response: the subkey name and the error (class and write time are read and dropped).</summary>
    public static RrpEnumKeyResult ParseEnumKey(ReadOnlySpan<byte> stub)
    {
        var reader = new NdrReader(stub, "BaseRegEnumKey response");
        string? name = reader.ReadUnicodeString(MaxNameChars, "lpNameOut");
        if (reader.ReadPointer())
        {
            reader.ReadUnicodeString(MaxNameChars, "lplpClassOut");
        }

        if (reader.ReadPointer())
        {
            reader.ReadUInt32();
            reader.ReadUInt32();
        }

        uint error = reader.ReadUInt32();
        return new RrpEnumKeyResult(name, error);
    }

    // lpcbLen, when present, says how many of the transmitted bytes are data; it can only shorten, never extend.
    private static byte[] Trim(byte[] data, uint? length) => length is { } l && l < (uint)data.Length ? data[..(int)l] : data;
}
