using System.Buffers.Binary;
using System.Net;

namespace SmbSign.Capture.Ip;

/// <summary>An IPv4 or IPv6 address as two 64-bit halves: compared and hashed without allocation, formatted only when
/// a report needs text.</summary>
public readonly struct IpAddressValue : IEquatable<IpAddressValue>, IComparable<IpAddressValue>
{
    private readonly ulong _high;
    private readonly ulong _low;
    private readonly bool _isIpv6;

    private IpAddressValue(ulong high, ulong low, bool isIpv6)
    {
        _high = high;
        _low = low;
        _isIpv6 = isIpv6;
    }

    public bool IsIpv6 => _isIpv6;

    /// <summary>From 4 (IPv4) or 16 (IPv6) network-order bytes.</summary>
    public static IpAddressValue FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        4 => new IpAddressValue(0, BinaryPrimitives.ReadUInt32BigEndian(bytes), false),
        16 => new IpAddressValue(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), true),
        _ => throw new ArgumentException("An IP address has 4 or 16 bytes.", nameof(bytes)),
    };

    public static IpAddressValue FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return FromBytes(address.GetAddressBytes());
    }

    public IPAddress ToIPAddress()
    {
        if (!_isIpv6)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)_low);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(v6, _high);
        BinaryPrimitives.WriteUInt64BigEndian(v6[8..], _low);
        return new IPAddress(v6);
    }

    public bool Equals(IpAddressValue other) => _low == other._low && _high == other._high && _isIpv6 == other._isIpv6;

    public override bool Equals(object? obj) => obj is IpAddressValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low, _isIpv6);

    public int CompareTo(IpAddressValue other)
    {
        int c = _isIpv6.CompareTo(other._isIpv6);
        if (c != 0)
        {
            return c;
        }

        c = _high.CompareTo(other._high);
        return c != 0 ? c : _low.CompareTo(other._low);
    }

    public override string ToString() => ToIPAddress().ToString();

    public static bool operator ==(IpAddressValue left, IpAddressValue right) => left.Equals(right);

    public static bool operator !=(IpAddressValue left, IpAddressValue right) => !left.Equals(right);

    public static bool operator <(IpAddressValue left, IpAddressValue right) => left.CompareTo(right) < 0;

    public static bool operator >(IpAddressValue left, IpAddressValue right) => left.CompareTo(right) > 0;

    public static bool operator <=(IpAddressValue left, IpAddressValue right) => left.CompareTo(right) <= 0;

    public static bool operator >=(IpAddressValue left, IpAddressValue right) => left.CompareTo(right) >= 0;
}

/// <summary>An address and a TCP port: one side of a connection.</summary>
public readonly record struct CaptureEndpoint(IpAddressValue Address, ushort Port) : IComparable<CaptureEndpoint>
{
    public int CompareTo(CaptureEndpoint other)
    {
        int c = Address.CompareTo(other.Address);
        return c != 0 ? c : Port.CompareTo(other.Port);
    }

    /// <summary>"192.0.2.1:445" or "[2001:db8::1]:445".</summary>
    public override string ToString() =>
        Address.IsIpv6
            ? $"[{Address}]:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : $"{Address}:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static bool operator <(CaptureEndpoint left, CaptureEndpoint right) => left.CompareTo(right) < 0;

    public static bool operator >(CaptureEndpoint left, CaptureEndpoint right) => left.CompareTo(right) > 0;

    public static bool operator <=(CaptureEndpoint left, CaptureEndpoint right) => left.CompareTo(right) <= 0;

    public static bool operator >=(CaptureEndpoint left, CaptureEndpoint right) => left.CompareTo(right) >= 0;
}
