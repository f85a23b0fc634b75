using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Protocol.Errors;
using SmbSign.Protocol.Rpc;
using SmbSign.Protocol.Rpc.Rrp;

namespace SmbSign.Wire.Rpc;

/// <summary>A registry call answered with a Win32 error other than "not found" (access denied, invalid handle…).</summary>
public sealed class RemoteRegistryException : PeerException
{
    public RemoteRegistryException()
    {
    }

    public RemoteRegistryException(string message)
        : base(message)
    {
    }

    public RemoteRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RemoteRegistryException(uint error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>The Win32 error the server returned (0 when the problem is a cap SmbSign enforces).</summary>
    public uint Error { get; }

    public bool IsAccessDenied => Error == Win32Error.AccessDenied;
}

/// <summary>A value as the server returned it: REG_* type code and raw bytes.</summary>
public sealed record RawRegistryValue(string Name, uint Type, byte[] Data);

/// <summary>
/// The MS-RRP calls of a read-only audit over a bound winreg association ([MS-RRP] 3.1.5): open HKLM, open a subkey,
/// query, enumerate values and subkeys, close. "Not found" (ERROR_FILE_NOT_FOUND) comes back as null; every other
/// error throws <see cref="RemoteRegistryException"/>; faults throw <see cref="RpcFaultException"/>. Values larger than
/// <see cref="MaxValueBytes"/> and keys with more than <see cref="MaxEnumerated"/> entries are refused, not truncated.
/// </summary>
internal sealed class RemoteRegistryClient(RpcPipeClient rpc)
{
    /// <summary>Largest value accepted (the settings read are DWORDs and short strings).</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>Most values or subkeys enumerated in one key.</summary>
    public const int MaxEnumerated = 4096;

    private const uint FirstBuffer = 1024;
    private const int FirstNameBytes = 512;

    public async Task<RpcContextHandle> OpenLocalMachineAsync(CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> stub = await rpc.CallAsync(RrpOpnum.OpenLocalMachine, RrpMessages.OpenLocalMachine(), "OpenLocalMachine", cancellationToken).ConfigureAwait(false);
        RrpHandleResult result = RrpMessages.ParseHandle(stub.Span, "OpenLocalMachine response");
        return result.Error == Win32Error.Success
            ? result.Handle
            : throw new RemoteRegistryException(result.Error, $"OpenLocalMachine (HKLM) failed: {Win32Error.Describe(result.Error)}");
    }

    /// <summary>Opens <paramref name="path"/> under <paramref name="parent"/> for reading; null when it does not exist.</summary>
    public async Task<RpcContextHandle?> OpenKeyAsync(RpcContextHandle parent, string path, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> stub = await rpc.CallAsync(RrpOpnum.BaseRegOpenKey, RrpMessages.OpenKey(parent, path), "BaseRegOpenKey", cancellationToken).ConfigureAwait(false);
        RrpHandleResult result = RrpMessages.ParseHandle(stub.Span, "BaseRegOpenKey response");
        return result.Error switch
        {
            Win32Error.Success => result.Handle,
            Win32Error.FileNotFound => null,
            _ => throw new RemoteRegistryException(result.Error, $"cannot open HKLM\\{path}: {Win32Error.Describe(result.Error)}"),
        };
    }

    public async Task CloseKeyAsync(RpcContextHandle handle, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> stub = await rpc.CallAsync(RrpOpnum.BaseRegCloseKey, RrpMessages.CloseKey(handle), "BaseRegCloseKey", cancellationToken).ConfigureAwait(false);
        uint error = RrpMessages.ParseClose(stub.Span);
        if (error != Win32Error.Success)
        {
            throw new RemoteRegistryException(error, $"BaseRegCloseKey failed: {Win32Error.Describe(error)}");
        }
    }

    /// <summary>One value of an open key; null when the key has no such value.</summary>
    public async Task<RawRegistryValue?> QueryValueAsync(RpcContextHandle key, string keyPath, string name, CancellationToken cancellationToken)
    {
        uint buffer = FirstBuffer;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            ReadOnlyMemory<byte> stub = await rpc.CallAsync(RrpOpnum.BaseRegQueryValue, RrpMessages.QueryValue(key, name, buffer), "BaseRegQueryValue", cancellationToken).ConfigureAwait(false);
            RrpValueResult result = RrpMessages.ParseQueryValue(stub.Span, (int)buffer);
            switch (result.Error)
            {
                case Win32Error.Success when result.Type is { } type:
                    return new RawRegistryValue(name, type, result.Data);
                case Win32Error.Success:
                    throw new SmbProtocolException($"BaseRegQueryValue of HKLM\\{keyPath}\\{name}: success without a type");
                case Win32Error.FileNotFound:
                    return null;
                case Win32Error.MoreData when attempt == 0:
                    buffer = NextBuffer(result.RequiredSize, keyPath, name);
                    continue;
                default:
                    throw new RemoteRegistryException(result.Error, $"cannot read HKLM\\{keyPath}\\{name}: {Win32Error.Describe(result.Error)}");
            }
        }

        throw new RemoteRegistryException(Win32Error.MoreData, $"cannot read HKLM\\{keyPath}\\{name}: the server asked for a larger buffer twice");
    }

    /// <summary>Every value of an open key, in the server's order.</summary>
    public async Task<IReadOnlyList<RawRegistryValue>> EnumValuesAsync(RpcContextHandle key, string keyPath, CancellationToken cancellationToken)
    {
        List<RawRegistryValue> values = [];
        for (uint index = 0; ; index++)
        {
            if (index >= MaxEnumerated)
            {
                throw new RemoteRegistryException(0, string.Create(CultureInfo.InvariantCulture, $"HKLM\\{keyPath} has more than {MaxEnumerated} values; refusing to read further"));
            }

            int nameBytes = FirstNameBytes;
            uint buffer = FirstBuffer;
            for (int attempt = 0; ; attempt++)
            {
                ReadOnlyMemory<byte> stub = await rpc.CallAsync(RrpOpnum.BaseRegEnumValue, RrpMessages.EnumValue(key, index, nameBytes, buffer), "BaseRegEnumValue", cancellationToken).ConfigureAwait(false);
                RrpEnumValueResult result = RrpMessages.ParseEnumValue(stub.Span, (int)buffer);
                if (result.Error == Win32Error.NoMoreItems)
                {
                    return values;
                }

                if (result.Error == Win32Error.MoreData && attempt == 0)
                {
                    // The name or the data did not fit: retry once with room for the longest name and the data's size.
                    nameBytes = RrpMessages.MaxNameChars * 2;
                    buffer = result.RequiredSize is > 0 ? Math.Max(buffer, NextBuffer(result.RequiredSize, keyPath, $"value #{index}")) : buffer;
                    continue;
                }

                if (result.Error != Win32Error.Success)
                {
                    throw new RemoteRegistryException(result.Error, string.Create(CultureInfo.InvariantCulture, $"cannot enumerate value #{index} of HKLM\\{keyPath}: {Win32Error.Describe(result.Error)}"));
                }

                if (result.Name is null || result.Type is not { } type)
                {
                    throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"BaseRegEnumValue #{index} of HKLM\\{keyPath}: success without a name or type"));
                }

                values.Add(new RawRegistryValue(result.Name, type, result.Data));
                break;
            }
        }
    }

    /// <summary>The names of an open key's subkeys.</summary>
    public async Task<IReadOnlyList<string>> EnumKeysAsync(RpcContextHandle key, string keyPath, CancellationToken cancellationToken)
    {
        List<string> names = [];
        for (uint index = 0; ; index++)
        {
            if (index >= MaxEnumerated)
            {
                throw new RemoteRegistryException(0, string.Create(CultureInfo.InvariantCulture, $"HKLM\\{keyPath} has more than {MaxEnumerated} subkeys; refusing to read further"));
            }

            int nameBytes = FirstNameBytes;
            for (int attempt = 0; ; attempt++)
            {
                ReadOnlyMemory<byte> stub = await rpc.CallAsync(RrpOpnum.BaseRegEnumKey, RrpMessages.EnumKey(key, index, nameBytes), "BaseRegEnumKey", cancellationToken).ConfigureAwait(false);
                RrpEnumKeyResult result = RrpMessages.ParseEnumKey(stub.Span);
                if (result.Error == Win32Error.NoMoreItems)
                {
                    return names;
                }

                if (result.Error == Win32Error.MoreData && attempt == 0)
                {
                    nameBytes = RrpMessages.MaxNameChars * 2;
                    continue;
                }

                if (result.Error != Win32Error.Success || result.Name is null)
                {
                    throw new RemoteRegistryException(result.Error, string.Create(CultureInfo.InvariantCulture, $"cannot enumerate subkey #{index} of HKLM\\{keyPath}: {Win32Error.Describe(result.Error)}"));
                }

                names.Add(result.Name);
                break;
            }
        }
    }

    private static uint NextBuffer(uint? required, string keyPath, string name) => required switch
    {
        null or 0 => throw new SmbProtocolException($"HKLM\\{keyPath}\\{name}: ERROR_MORE_DATA without the size needed"),
        > MaxValueBytes => throw new RemoteRegistryException(0, string.Create(CultureInfo.InvariantCulture, $"HKLM\\{keyPath}\\{name} is {required} bytes, more than the {MaxValueBytes} SmbSign reads")),
        { } size => size,
    };
}
