using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SmbSign.Protocol.Errors;

namespace SmbSign.Wire.Scanning;

/// <summary>What a target expression denotes.</summary>
public enum TargetExpressionKind
{
    /// <summary>A host name, resolved when probed.</summary>
    Name,

    /// <summary>One IPv4 or IPv6 address.</summary>
    Address,

    /// <summary>An address block, <c>10.0.0.0/24</c> or <c>fd00::/120</c>; every address in it, network and broadcast included.</summary>
    Cidr,

    /// <summary>nmap-style octet ranges, <c>10.0.0.1-20</c> or <c>10.0-1.0.1-5</c>.</summary>
    OctetRange,

    /// <summary>An inclusive address range, <c>10.0.0.250-10.0.1.5</c>.</summary>
    AddressRange,
}

/// <summary>A bad target expression: which one, where, and what was expected.</summary>
public sealed class TargetParseException : UsageException
{
    public TargetParseException()
    {
    }

    public TargetParseException(string message)
        : base(message)
    {
    }

    public TargetParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One parsed target expression. <see cref="Count"/> is known without expanding; <see cref="Expand"/> yields
/// the addresses lazily, so <c>10.0.0.0/8</c> costs no memory. An optional <c>:port</c> suffix (<c>[v6]:port</c> for
/// IPv6) overrides the scan's default port.</summary>
public sealed class TargetExpression
{
    /// <summary>IPv6 blocks larger than this many addresses are refused (a /96 is 2^32 addresses).</summary>
    public const int MinIPv6PrefixLength = 96;

    private readonly IPAddress? _first;
    private readonly ulong _count;
    private readonly (int Low, int High)[]? _octets;

    private TargetExpression(string text, TargetExpressionKind kind, int? port, string? name, IPAddress? first, ulong count, (int, int)[]? octets)
    {
        Text = text;
        Kind = kind;
        Port = port;
        Name = name;
        _first = first;
        _count = count;
        _octets = octets;
    }

    public string Text { get; }

    public TargetExpressionKind Kind { get; }

    /// <summary>The port given in the expression, if any.</summary>
    public int? Port { get; }

    /// <summary>The host name for <see cref="TargetExpressionKind.Name"/>.</summary>
    public string? Name { get; }

    /// <summary>How many targets the expression expands to.</summary>
    public ulong Count => _count;

    /// <summary>Parses one expression; throws <see cref="TargetParseException"/> naming the expression and what was expected.</summary>
    public static TargetExpression Parse(string text)
    {
        if (!TryParse(text, out TargetExpression? expression, out string? error))
        {
            throw new TargetParseException(error);
        }

        return expression;
    }

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TargetExpression? expression, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        expression = null;
        string original = text?.Trim() ?? string.Empty;
        if (original.Length == 0)
        {
            error = "empty target";
            return false;
        }

        string body = original;
        int? port = null;
        if (body.StartsWith('['))
        {
            int close = body.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{original}': missing ']' after the IPv6 address";
                return false;
            }

            string rest = body[(close + 1)..];
            body = body[1..close];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':') || !TryParsePort(rest[1..], out int p))
                {
                    error = $"'{original}': expected ':PORT' (1-65535) after ']'";
                    return false;
                }

                port = p;
            }
        }
        else if (body.Count(c => c == ':') == 1)
        {
            int colon = body.IndexOf(':', StringComparison.Ordinal);
            if (!TryParsePort(body[(colon + 1)..], out int p))
            {
                error = $"'{original}': '{body[(colon + 1)..]}' is not a port (1-65535)";
                return false;
            }

            port = p;
            body = body[..colon];
        }

        if (body.Length == 0)
        {
            error = $"'{original}': no host before the port";
            return false;
        }

        int slash = body.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return TryParseCidr(original, body[..slash], body[(slash + 1)..], port, out expression, out error);
        }

        if (IPAddress.TryParse(body, out IPAddress? address) && (body.Contains(':', StringComparison.Ordinal) || body.Count(c => c == '.') == 3))
        {
            expression = new TargetExpression(original, TargetExpressionKind.Address, port, null, address, 1, null);
            error = null;
            return true;
        }

        if (body.Contains('-', StringComparison.Ordinal) && body.Count(c => c == '.') >= 3 && IsRangeCandidate(body))
        {
            return TryParseRange(original, body, port, out expression, out error);
        }

        if (body.All(c => char.IsAsciiDigit(c) || c == '.') || body.Contains(':', StringComparison.Ordinal))
        {
            error = $"'{original}': not an IPv4 address (a.b.c.d), an IPv6 address, CIDR (a.b.c.d/n), range (a.b.c.d-e) or host name";
            return false;
        }

        if (!IsValidHostName(body))
        {
            error = $"'{original}': '{body}' is not a valid host name (letters, digits, '-', '.', at most 253 characters)";
            return false;
        }

        expression = new TargetExpression(original, TargetExpressionKind.Name, port, body, null, 1, null);
        error = null;
        return true;
    }

    /// <summary>Yields the targets lazily, in ascending address order.</summary>
    public IEnumerable<(string Host, IPAddress? Address, int? Port)> Expand()
    {
        switch (Kind)
        {
            case TargetExpressionKind.Name:
                yield return (Name!, null, Port);
                break;
            case TargetExpressionKind.Address:
                yield return (_first!.ToString(), _first, Port);
                break;
            case TargetExpressionKind.Cidr:
            case TargetExpressionKind.AddressRange:
            {
                UInt128 start = ToInteger(_first!);
                bool v6 = _first!.AddressFamily == AddressFamily.InterNetworkV6;
                for (ulong i = 0; i < _count; i++)
                {
                    IPAddress address = FromInteger(start + i, v6);
                    yield return (address.ToString(), address, Port);
                }

                break;
            }

            case TargetExpressionKind.OctetRange:
            {
                (int Low, int High)[] o = _octets!;
                for (int a = o[0].Low; a <= o[0].High; a++)
                {
                    for (int b = o[1].Low; b <= o[1].High; b++)
                    {
                        for (int c = o[2].Low; c <= o[2].High; c++)
                        {
                            for (int d = o[3].Low; d <= o[3].High; d++)
                            {
                                var address = new IPAddress(new[] { (byte)a, (byte)b, (byte)c, (byte)d });
                                yield return (address.ToString(), address, Port);
                            }
                        }
                    }
                }

                break;
            }
        }
    }

    public override string ToString() => Text;

    private static bool TryParseCidr(string original, string addressText, string prefixText, int? port, out TargetExpression? expression, out string? error)
    {
        expression = null;
        if (!IPAddress.TryParse(addressText, out IPAddress? address) || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            error = $"'{original}': '{addressText}' is not an IP address (CIDR is a.b.c.d/n or v6::/n)";
            return false;
        }

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > maxPrefix)
        {
            error = $"'{original}': prefix length '{prefixText}' is not 0-{maxPrefix}";
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && prefix < MinIPv6PrefixLength)
        {
            error = $"'{original}': an IPv6 /{prefix} has 2^{128 - prefix} addresses; use /{MinIPv6PrefixLength} or longer";
            return false;
        }

        ulong count = 1UL << (maxPrefix - prefix);
        UInt128 network = ToInteger(address) & ~((UInt128)count - 1);
        expression = new TargetExpression(original, TargetExpressionKind.Cidr, port, null, FromInteger(network, maxPrefix == 128), count, null);
        error = null;
        return true;
    }

    private static bool IsRangeCandidate(string body) => body.All(c => char.IsAsciiDigit(c) || c is '.' or '-');

    private static bool TryParseRange(string original, string body, int? port, out TargetExpression? expression, out string? error)
    {
        expression = null;
        string[] halves = body.Split('-');
        if (halves.Length == 2 && halves[1].Count(c => c == '.') == 3)
        {
            if (!IPAddress.TryParse(halves[0], out IPAddress? from) || !IPAddress.TryParse(halves[1], out IPAddress? to)
                || from.AddressFamily != AddressFamily.InterNetwork || to.AddressFamily != AddressFamily.InterNetwork)
            {
                error = $"'{original}': an address range is a.b.c.d-e.f.g.h with two IPv4 addresses";
                return false;
            }

            UInt128 low = ToInteger(from);
            UInt128 high = ToInteger(to);
            if (high < low)
            {
                error = $"'{original}': the range ends before it starts";
                return false;
            }

            expression = new TargetExpression(original, TargetExpressionKind.AddressRange, port, null, from, (ulong)(high - low + 1), null);
            error = null;
            return true;
        }

        string[] parts = body.Split('.');
        if (parts.Length != 4)
        {
            error = $"'{original}': an octet range has four octets, each N or N-M (e.g. 10.0.0.1-20)";
            return false;
        }

        var octets = new (int Low, int High)[4];
        ulong count = 1;
        for (int i = 0; i < 4; i++)
        {
            string[] bounds = parts[i].Split('-');
            if (bounds.Length > 2 || !TryParseOctet(bounds[0], out int low) || !TryParseOctet(bounds[^1], out int high))
            {
                error = $"'{original}': octet {i + 1} '{parts[i]}' is not N or N-M with 0 <= N <= M <= 255";
                return false;
            }

            if (high < low)
            {
                error = $"'{original}': octet {i + 1} range '{parts[i]}' ends before it starts";
                return false;
            }

            octets[i] = (low, high);
            count *= (ulong)(high - low + 1);
        }

        expression = new TargetExpression(original, TargetExpressionKind.OctetRange, port, null, null, count, octets);
        error = null;
        return true;
    }

    private static bool TryParseOctet(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 255 && text.Length is > 0 and <= 3;

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    private static bool IsValidHostName(string name)
    {
        if (name.Length > 253)
        {
            return false;
        }

        foreach (string label in name.TrimEnd('.').Split('.'))
        {
            if (label.Length is 0 or > 63 || label.StartsWith('-') || label.EndsWith('-')
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static UInt128 ToInteger(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress FromInteger(UInt128 value, bool v6)
    {
        if (!v6)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
            return new IPAddress(v4);
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
