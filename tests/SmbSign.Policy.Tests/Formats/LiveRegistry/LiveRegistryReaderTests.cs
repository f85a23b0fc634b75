using SmbSign.Policy.Formats.LiveRegistry;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.LiveRegistry;

/// <summary>A fact that runs only on Windows (the live registry exists nowhere else).</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    public WindowsFactAttribute()
    {
        if (!OperatingSystem.IsWindows())
        {
            Skip = "Reads the live Windows registry (Microsoft.Win32.Registry); this machine is not Windows.";
        }
    }
}

public sealed class LiveRegistryReaderTests
{
    [WindowsFact]
    public void Read_OnWindows_ReadsTheWorkstationParametersKey()
    {
        SourceReadResult result = LiveRegistryReader.Read();

        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains(result.Observations, o => o.Registry!.Value.KeyPath.Equals(@"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters", StringComparison.OrdinalIgnoreCase));
        Assert.All(result.Observations, o => Assert.Equal(SourceFormat.LiveRegistry, o.Location.Format));
    }

    [Fact]
    public void Read_OffWindows_ReturnsAnErrorInsteadOfThrowing()
    {
        SourceReadResult result = LiveRegistryReader.Read();

        if (OperatingSystem.IsWindows())
        {
            Assert.DoesNotContain(result.Diagnostics, d => d.Code == "LIV001");
        }
        else
        {
            Assert.Equal("LIV001", Assert.Single(result.Diagnostics).Code);
            Assert.Empty(result.Observations);
        }
    }

    [Fact]
    public void Keys_CoverParametersAndPolicies_OfEveryMappedSetting()
    {
        IEnumerable<string> mappedKeys = SettingMap.Entries.Select(e => e.KeyPath).Distinct(StringComparer.OrdinalIgnoreCase);
        IEnumerable<string> readKeys = LiveRegistryReader.Keys.Concat(LiveRegistryReader.SingleValues.Select(v => v.KeyPath));

        Assert.All(mappedKeys, k => Assert.Contains(k, readKeys, StringComparer.OrdinalIgnoreCase));
    }
}
