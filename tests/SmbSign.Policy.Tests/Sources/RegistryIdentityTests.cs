using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Sources;

public sealed class RegistryIdentityTests
{
    [Fact]
    public void Equals_IgnoresCaseOfKeyAndValueName()
    {
        RegistryIdentity a = new(@"SYSTEM\CurrentControlSet\Services\LanManServer\Parameters", "EnableForcedLogOff");
        RegistryIdentity b = new(@"system\currentcontrolset\services\lanmanserver\parameters", "enableforcedlogoff");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new RegistryIdentity(a.KeyPath, "Other"));
    }

    [Theory]
    [InlineData("trailing backslash", @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation\", @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation")]
    [InlineData("doubled backslash", @"SOFTWARE\\Policies\Microsoft", @"SOFTWARE\Policies\Microsoft")]
    [InlineData("numbered control set", @"SYSTEM\ControlSet001\Services\LanmanServer\Parameters", @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters")]
    [InlineData("lower-case control set", @"system\controlset002", @"SYSTEM\CurrentControlSet")]
    [InlineData("not a control set", @"SYSTEM\ControlSetX\A", @"SYSTEM\ControlSetX\A")]
    public void NormalizeKey_Variants_Normalise(string description, string input, string expected)
    {
        Assert.True(expected == RegistryPaths.NormalizeKey(input), description);
    }

    [Theory]
    [InlineData(@"HKEY_LOCAL_MACHINE\SOFTWARE\A", RegistryHive.LocalMachine)]
    [InlineData(@"HKLM\SOFTWARE\A", RegistryHive.LocalMachine)]
    [InlineData(@"HKLM:\SOFTWARE\A", RegistryHive.LocalMachine)]
    [InlineData(@"MACHINE\SOFTWARE\A", RegistryHive.LocalMachine)]
    [InlineData(@"hkey_current_user\SOFTWARE\A", RegistryHive.CurrentUser)]
    [InlineData(@"HKEY_USERS\S-1-5-18\SOFTWARE\A", RegistryHive.Users)]
    public void TrySplitHive_KnownHives_SplitsOffTheHive(string path, RegistryHive hive)
    {
        Assert.True(RegistryPaths.TrySplitHive(path, out RegistryHive actual, out string key));
        Assert.Equal(hive, actual);
        Assert.EndsWith(@"SOFTWARE\A", key, StringComparison.Ordinal);
    }

    [Fact]
    public void TrySplitHive_UnknownHive_Fails()
    {
        Assert.False(RegistryPaths.TrySplitHive(@"HKEY_NOWHERE\A", out _, out _));
    }

    [Fact]
    public void SourceLocation_ToString_NamesLineOrOffset()
    {
        Assert.Equal("a.reg:12", SourceLocation.AtLine("a.reg", SourceFormat.Reg, 12).ToString());
        Assert.Equal("r.pol@6688", SourceLocation.AtOffset("r.pol", SourceFormat.RegistryPol, 6688).ToString());
        Assert.Equal("x", SourceLocation.OfFile("x", SourceFormat.Unknown).ToString());
    }
}

public sealed class AsciiSearchTests
{
    [Theory]
    [InlineData("camelCase hit", "{\"omaSettings\": []}", "OmaSettings", true)]
    [InlineData("marker at the very end", "abc@ODATA.TYPE", "@odata.type", true)]
    [InlineData("first char matches, rest does not", "settingX settingIn", "settingInstance", false)]
    [InlineData("text shorter than marker", "[Uni", "[Unicode]", false)]
    [InlineData("non-letter first char", "x$chicago$y", "$CHICAGO$", true)]
    public void ContainsIgnoreCase_Cases(string description, string text, string marker, bool expected)
    {
        Assert.True(expected == AsciiSearch.ContainsIgnoreCase(text, marker), description);
    }

    [Fact]
    public void NormalizeKey_AlreadyNormal_ReturnsTheSameInstance()
    {
        string key = @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation";

        Assert.Same(key, RegistryPaths.NormalizeKey(key));
        Assert.Same(key, new RegistryIdentity(key, "V").KeyPath);
    }
}
