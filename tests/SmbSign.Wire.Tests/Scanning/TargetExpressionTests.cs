using System.Net;
using SmbSign.Wire.Scanning;

namespace SmbSign.Wire.Tests.Scanning;

public sealed class TargetExpressionTests
{
    [Theory]
    [InlineData("10.0.0.5", TargetExpressionKind.Address, 1UL, "10.0.0.5", "10.0.0.5", null)]
    [InlineData("10.0.0.5:4455", TargetExpressionKind.Address, 1UL, "10.0.0.5", "10.0.0.5", 4455)]
    [InlineData("::1", TargetExpressionKind.Address, 1UL, "::1", "::1", null)]
    [InlineData("[fe80::1]:445", TargetExpressionKind.Address, 1UL, "fe80::1", "fe80::1", 445)]
    [InlineData("192.168.1.77/30", TargetExpressionKind.Cidr, 4UL, "192.168.1.76", "192.168.1.79", null)]
    [InlineData("10.0.0.0/32", TargetExpressionKind.Cidr, 1UL, "10.0.0.0", "10.0.0.0", null)]
    [InlineData("fd00::/126", TargetExpressionKind.Cidr, 4UL, "fd00::", "fd00::3", null)]
    [InlineData("10.0.0.1-3", TargetExpressionKind.OctetRange, 3UL, "10.0.0.1", "10.0.0.3", null)]
    [InlineData("10.0-1.0.1-2", TargetExpressionKind.OctetRange, 4UL, "10.0.0.1", "10.1.0.2", null)]
    [InlineData("10.0.0.254-10.0.1.1", TargetExpressionKind.AddressRange, 4UL, "10.0.0.254", "10.0.1.1", null)]
    [InlineData("fileserver.corp.example", TargetExpressionKind.Name, 1UL, "fileserver.corp.example", "fileserver.corp.example", null)]
    [InlineData("nas-01:139", TargetExpressionKind.Name, 1UL, "nas-01", "nas-01", 139)]
    public void Parse_ValidExpression_KindCountAndBounds(string text, TargetExpressionKind kind, ulong count, string first, string last, int? port)
    {
        TargetExpression expression = TargetExpression.Parse(text);

        var expanded = expression.Expand().ToList();
        Assert.Equal(kind, expression.Kind);
        Assert.Equal(count, expression.Count);
        Assert.Equal((int)count, expanded.Count);
        Assert.Equal(first, expanded[0].Host);
        Assert.Equal(last, expanded[^1].Host);
        Assert.Equal(port, expression.Port);
    }

    [Theory]
    [InlineData("empty", "", "empty target")]
    [InlineData("octet above 255", "10.0.0.256", "not an IPv4 address")]
    [InlineData("three octets", "10.0.1", "not an IPv4 address")]
    [InlineData("prefix too long", "10.0.0.0/33", "prefix length '33' is not 0-32")]
    [InlineData("prefix not a number", "10.0.0.0/x", "prefix length 'x'")]
    [InlineData("huge IPv6 block", "fd00::/64", "use /96 or longer")]
    [InlineData("range backwards", "10.0.0.9-3", "ends before it starts")]
    [InlineData("address range backwards", "10.0.1.0-10.0.0.1", "ends before it starts")]
    [InlineData("port zero", "10.0.0.1:0", "is not a port")]
    [InlineData("port too big", "host:70000", "is not a port")]
    [InlineData("bad host name", "bad_name!", "not a valid host name")]
    [InlineData("unclosed bracket", "[::1", "missing ']'")]
    public void TryParse_Malformed_FailsWithSpecificMessage(string description, string text, string expected)
    {
        bool ok = TargetExpression.TryParse(text, out _, out string? error);

        Assert.False(ok, description);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_SlashEight_IsLazyAndCountedWithoutExpansion()
    {
        TargetExpression expression = TargetExpression.Parse("10.0.0.0/8");

        IEnumerable<(string Host, IPAddress? Address, int? Port)> lazy = expression.Expand();
        var firstThree = lazy.Take(3).Select(t => t.Host).ToList();

        Assert.Equal(16_777_216UL, expression.Count);
        Assert.Equal(["10.0.0.0", "10.0.0.1", "10.0.0.2"], firstThree);
    }

    [Fact]
    public void Expand_SlashZero_CountsFourBillion()
    {
        Assert.Equal(1UL << 32, TargetExpression.Parse("0.0.0.0/0").Count);
    }
}
