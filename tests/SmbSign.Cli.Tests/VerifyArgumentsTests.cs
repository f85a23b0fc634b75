using SmbSign.Cli.Rendering;

namespace SmbSign.Cli.Tests;

/// <summary>Target and user parsing of <c>smbsign verify</c>.</summary>
public sealed class VerifyArgumentsTests
{
    [Theory]
    [InlineData("//host/share", "host", 445, "share")]
    [InlineData("//host:1445/share", "host", 1445, "share")]
    [InlineData(@"\\host\share", "host", 445, "share")]
    [InlineData("//127.0.0.1", "127.0.0.1", 445, "IPC$")]
    [InlineData("//127.0.0.1:4450/", "127.0.0.1", 4450, "IPC$")]
    [InlineData("//[::1]:4450/data", "::1", 4450, "data")]
    [InlineData("//[fe80::1]/data", "fe80::1", 445, "data")]
    public void TryParse_ValidTarget_Parses(string text, string host, int port, string share)
    {
        Assert.True(VerifyTarget.TryParse(text, out VerifyTarget? target, out string error), error);

        Assert.Equal(new VerifyTarget(host, port, share), target);
    }

    [Theory]
    [InlineData("empty", "")]
    [InlineData("no leading slashes", "host/share")]
    [InlineData("empty host", "///share")]
    [InlineData("port not a number", "//host:abc/share")]
    [InlineData("port zero", "//host:0/share")]
    [InlineData("port too big", "//host:70000/share")]
    [InlineData("IPv6 without brackets", "//::1/share")]
    [InlineData("unclosed bracket", "//[::1/share")]
    [InlineData("path inside the share", "//host/share/dir")]
    public void TryParse_InvalidTarget_ExplainsWhy(string description, string text)
    {
        Assert.False(VerifyTarget.TryParse(text, out _, out string error), description);

        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData(@"DOM\alice", "DOM", "alice")]
    [InlineData("alice", "", "alice")]
    [InlineData("alice@DOM", "DOM", "alice")]
    [InlineData(@".\alice", ".", "alice")]
    public void TryParse_User_SplitsDomain(string text, string domain, string name)
    {
        Assert.True(VerifyUser.TryParse(text, out VerifyUser? user, out _));

        Assert.Equal(new VerifyUser(domain, name), user);
    }

    [Theory]
    [InlineData("empty", "")]
    [InlineData("domain only", @"DOM\")]
    [InlineData("two backslashes", @"A\B\c")]
    public void TryParse_InvalidUser_Fails(string description, string text)
    {
        Assert.False(VerifyUser.TryParse(text, out _, out string error), description);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
