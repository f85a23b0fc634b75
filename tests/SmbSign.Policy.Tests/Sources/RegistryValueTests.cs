using System.Text;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Sources;

public sealed class RegistryValueTests
{
    public static TheoryData<string, RegistryValue> RoundTripValues() => new()
    {
        { "dword", RegistryValue.FromDWord(0xDEADBEEF) },
        { "big-endian dword", RegistryValue.FromDWordBigEndian(513) },
        { "qword", RegistryValue.FromQWord(131677984415641873) },
        { "string", RegistryValue.FromString("RequireMutualAuthentication=1, RequireIntegrity=1") },
        { "empty string", RegistryValue.FromString(string.Empty) },
        { "expand string", RegistryValue.FromString("%SystemRoot%\\x", expand: true) },
        { "multi string", RegistryValue.FromMultiString(["netlogon", "samr", "lsarpc"]) },
        { "empty multi string", RegistryValue.FromMultiString([]) },
        { "binary", RegistryValue.FromBytes([1, 2, 3]) },
        { "none", RegistryValue.FromBytes([], RegistryValueType.None) },
    };

    [Theory]
    [MemberData(nameof(RoundTripValues))]
    public void FromRaw_ToBytes_RoundTrips(string description, RegistryValue value)
    {
        RegistryValue again = RegistryValue.FromRaw(value.Type, value.ToBytes(), out string? problem);

        Assert.Null(problem);
        Assert.True(value.Equals(again), description);
        Assert.Equal(value.GetHashCode(), again.GetHashCode());
    }

    [Fact]
    public void FromRaw_StringWithoutTerminatorOrWithGarbageAfterNul_StopsAtNul()
    {
        byte[] data = [.. Encoding.Unicode.GetBytes("abc\0zzz")];

        Assert.True(RegistryValue.FromRaw(RegistryValueType.String, data, out _).TryGetString(out string s));
        Assert.Equal("abc", s);
        Assert.True(RegistryValue.FromRaw(RegistryValueType.String, Encoding.Unicode.GetBytes("abc"), out _).TryGetString(out string unterminated));
        Assert.Equal("abc", unterminated);
    }

    [Theory]
    [InlineData(RegistryValueType.DWord, 3)]
    [InlineData(RegistryValueType.DWord, 8)]
    [InlineData(RegistryValueType.QWord, 4)]
    public void FromRaw_IntegerOfWrongSize_KeepsBytesAndSaysWhy(RegistryValueType type, int size)
    {
        RegistryValue value = RegistryValue.FromRaw(type, new byte[size], out string? problem);

        Assert.NotNull(problem);
        Assert.False(value.TryGetUInt64(out _));
        Assert.Equal(size, value.ToBytes().Length);
    }

    [Fact]
    public void TypedAccessors_RefuseOtherTypes()
    {
        RegistryValue dword = RegistryValue.FromDWord(1);

        Assert.False(dword.TryGetString(out _));
        Assert.False(dword.TryGetStrings(out _));
        Assert.False(RegistryValue.FromQWord(1).TryGetUInt32(out _));
        Assert.True(RegistryValue.FromQWord(1).TryGetUInt64(out ulong q) && q == 1);
    }

    [Theory]
    [InlineData("1", true, 1L)]
    [InlineData(" 15 ", true, 15L)]
    [InlineData("-1", true, -1L)]
    [InlineData("yes", false, 0L)]
    public void TryGetNumber_StringValue_ParsesDecimal(string text, bool ok, long expected)
    {
        Assert.Equal(ok, RegistryValue.FromString(text).TryGetNumber(out long n));
        Assert.Equal(expected, n);
    }

    [Fact]
    public void Equals_DifferentTypesOrData_AreDifferent()
    {
        Assert.NotEqual(RegistryValue.FromDWord(1), RegistryValue.FromDWordBigEndian(1));
        Assert.NotEqual(RegistryValue.FromString("A"), RegistryValue.FromString("a"));
        Assert.NotEqual(RegistryValue.FromMultiString(["a"]), RegistryValue.FromMultiString(["a", "b"]));
        Assert.Equal("REG_DWORD 1", RegistryValue.FromDWord(1).ToString());
        Assert.Equal("REG_MULTI_SZ a, b", RegistryValue.FromMultiString(["a", "b"]).ToString());
    }
}
