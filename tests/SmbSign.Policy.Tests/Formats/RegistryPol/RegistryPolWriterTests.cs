using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Formats.RegistryPol;

public sealed class RegistryPolWriterTests
{
    [Fact]
    public void Write_OneDword_ExactBytes()
    {
        // [MS-GPREG] 2.1: "PReg", version 1, then [key;value;type;size;data] with UTF-16LE brackets and names.
        var change = new RegistryChange(new RegistryIdentity("K", "V"), RegistryValue.FromDWord(0x01020304));

        byte[] bytes = RegistryPolWriter.Write([change]);

        Assert.Equal(
            "50526567" + "01000000" + "5B00" + "4B000000" + "3B00" + "56000000" + "3B00" + "04000000" + "3B00" + "04000000" + "3B00" + "04030201" + "5D00",
            Convert.ToHexString(bytes));
    }

    [Fact]
    public void Write_EveryType_ReadsBack()
    {
        const string key = @"Software\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths";
        RegistryChange[] changes =
        [
            new(new RegistryIdentity(key, @"\\*\NETLOGON"), RegistryValue.FromString("RequireMutualAuthentication=1, RequireIntegrity=1")),
            new(new RegistryIdentity(@"Software\Policies\Microsoft\Windows\LanmanServer", "MinSmb2Dialect"), RegistryValue.FromDWord(785)),
            new(new RegistryIdentity(@"SYSTEM\CurrentControlSet\Services\LanManServer\Parameters", "NullSessionPipes"), RegistryValue.FromMultiString(["a", "b"])),
            new(new RegistryIdentity(@"Software\X", "Q"), RegistryValue.FromQWord(42)),
            new(new RegistryIdentity(@"Software\X", "Old"), null),
        ];

        SourceReadResult read = new RegistryPolReader().Parse(RegistryPolWriter.Write(changes), "Registry.pol");

        TestFiles.AssertNoDiagnostics(read);
        Assert.Equal(changes.Length, read.Observations.Count);
        for (int i = 0; i < changes.Length; i++)
        {
            Assert.Equal(changes[i].Identity, read.Observations[i].Registry);
            Assert.Equal(changes[i].Value, read.Observations[i].Value);
            Assert.Equal(changes[i].IsDelete ? ObservationKind.ValueDeleted : ObservationKind.Value, read.Observations[i].Kind);
        }
    }
}
