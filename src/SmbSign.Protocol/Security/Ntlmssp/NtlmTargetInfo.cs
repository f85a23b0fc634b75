using System.Buffers.Binary;
using SmbSign.Protocol.Buffers;
using TextEncoding = System.Text.Encoding;

namespace SmbSign.Protocol.Security.Ntlmssp;

/// <summary>[MS-NLMP] 2.2.2.1 AvId.</summary>
public enum NtlmAvId : ushort
{
    Eol = 0,
    NbComputerName = 1,
    NbDomainName = 2,
    DnsComputerName = 3,
    DnsDomainName = 4,
    DnsTreeName = 5,
    Flags = 6,
    Timestamp = 7,
    SingleHost = 8,
    TargetName = 9,
    ChannelBindings = 10,
}

/// <summary>[MS-NLMP] 2.2.2.1 AV_PAIR.</summary>
public readonly record struct NtlmAvPair(NtlmAvId Id, ReadOnlyMemory<byte> Value);

/// <summary>[MS-NLMP] 2.2.2.1 the AV_PAIR list of a CHALLENGE_MESSAGE's TargetInfo (and of the NTLMv2 client blob),
/// terminated by MsvAvEOL. Keeps every pair in wire order so a client can copy it into its response.</summary>
public sealed class NtlmTargetInfo
{
    public NtlmTargetInfo(IReadOnlyList<NtlmAvPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        Pairs = pairs;
    }

    /// <summary>The pairs without the terminating EOL.</summary>
    public IReadOnlyList<NtlmAvPair> Pairs { get; }

    public string? NbComputerName => GetString(NtlmAvId.NbComputerName);

    public string? NbDomainName => GetString(NtlmAvId.NbDomainName);

    public string? DnsComputerName => GetString(NtlmAvId.DnsComputerName);

    public string? DnsDomainName => GetString(NtlmAvId.DnsDomainName);

    public string? DnsTreeName => GetString(NtlmAvId.DnsTreeName);

    public string? TargetName => GetString(NtlmAvId.TargetName);

    /// <summary>MsvAvFlags (0x2 = the client provides a MIC).</summary>
    public uint? Flags => Find(NtlmAvId.Flags) is { Length: 4 } v ? BinaryPrimitives.ReadUInt32LittleEndian(v.Span) : null;

    /// <summary>MsvAvTimestamp as a FILETIME.</summary>
    public ulong? Timestamp => Find(NtlmAvId.Timestamp) is { Length: 8 } v ? BinaryPrimitives.ReadUInt64LittleEndian(v.Span) : null;

    /// <summary>The value of the first pair with <paramref name="id"/>, or null.</summary>
    public ReadOnlyMemory<byte>? Find(NtlmAvId id)
    {
        foreach (NtlmAvPair pair in Pairs)
        {
            if (pair.Id == id)
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary>A copy with <paramref name="id"/> set to <paramref name="value"/> (replaced in place, or appended).</summary>
    public NtlmTargetInfo With(NtlmAvId id, ReadOnlyMemory<byte> value)
    {
        var pairs = new List<NtlmAvPair>(Pairs.Count + 1);
        bool replaced = false;
        foreach (NtlmAvPair pair in Pairs)
        {
            if (pair.Id == id && !replaced)
            {
                pairs.Add(new NtlmAvPair(id, value));
                replaced = true;
            }
            else
            {
                pairs.Add(pair);
            }
        }

        if (!replaced)
        {
            pairs.Add(new NtlmAvPair(id, value));
        }

        return new NtlmTargetInfo(pairs);
    }

    /// <summary>Builds a list from UTF-16 name pairs (for responders and tests).</summary>
    public static NtlmTargetInfo FromNames(params (NtlmAvId Id, string Value)[] names) =>
        new(names.Select(n => new NtlmAvPair(n.Id, TextEncoding.Unicode.GetBytes(n.Value))).ToArray());

    /// <summary>Parses an AV_PAIR list; a pair running past the end throws <see cref="SmbProtocolException"/>. Bytes after
    /// MsvAvEOL are ignored; a list that ends exactly on a pair boundary without EOL is accepted.</summary>
    public static NtlmTargetInfo Parse(ReadOnlySpan<byte> data)
    {
        var pairs = new List<NtlmAvPair>();
        var reader = new SmbReader(data, "NTLM AV_PAIR list");
        while (reader.Remaining > 0)
        {
            int start = reader.Position;
            var id = (NtlmAvId)reader.ReadUInt16();
            ushort length = reader.ReadUInt16();
            if (length > reader.Remaining)
            {
                ThrowHelper.ThrowBufferOutOfRange($"AV_PAIR {id} at byte {start}", (ulong)reader.Position, length, data.Length);
            }

            ReadOnlySpan<byte> value = reader.ReadBytes(length);
            if (id == NtlmAvId.Eol)
            {
                break;
            }

            pairs.Add(new NtlmAvPair(id, value.ToArray()));
        }

        return new NtlmTargetInfo(pairs);
    }

    public int GetEncodedLength() => Pairs.Sum(p => 4 + p.Value.Length) + 4;

    /// <summary>Encodes the pairs followed by MsvAvEOL.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[GetEncodedLength()];
        var writer = new SmbWriter(bytes);
        foreach (NtlmAvPair pair in Pairs)
        {
            writer.WriteUInt16((ushort)pair.Id);
            writer.WriteUInt16(checked((ushort)pair.Value.Length));
            writer.WriteBytes(pair.Value.Span);
        }

        writer.WriteUInt32(0);
        return bytes;
    }

    private string? GetString(NtlmAvId id) =>
        Find(id) is { } value && value.Length % 2 == 0 ? TextEncoding.Unicode.GetString(value.Span) : null;
}
