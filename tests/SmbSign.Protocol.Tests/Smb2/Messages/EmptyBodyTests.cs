using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Echo;
using SmbSign.Protocol.Smb2.Logoff;
using SmbSign.Protocol.Smb2.TreeDisconnect;

namespace SmbSign.Protocol.Tests.Smb2.Messages;

/// <summary>LOGOFF (2.2.7/2.2.8), TREE_DISCONNECT (2.2.11/2.2.12) and ECHO (2.2.28/2.2.29): StructureSize 4 + Reserved.</summary>
public sealed class EmptyBodyTests
{
    [Fact]
    public void WriteTo_EachRequest_IsStructureSize4AndReserved()
    {
        Assert.Equal("04000000", TestMessages.Write(LogoffRequest.Instance));
        Assert.Equal("04000000", TestMessages.Write(TreeDisconnectRequest.Instance));
        Assert.Equal("04000000", TestMessages.Write(EchoRequest.Instance));
        Assert.Equal(Smb2Command.Logoff, LogoffRequest.Instance.Command);
        Assert.Equal(Smb2Command.TreeDisconnect, TreeDisconnectRequest.Instance.Command);
        Assert.Equal(Smb2Command.Echo, EchoRequest.Instance.Command);
    }

    [Fact]
    public void Parse_EachResponse_AcceptsTheSpecBody()
    {
        byte[] message = TestMessages.Smb2("0400 0000");

        Assert.NotNull(LogoffResponse.Parse(message));
        Assert.NotNull(TreeDisconnectResponse.Parse(message));
        Assert.NotNull(EchoResponse.Parse(message));
        Assert.NotNull(EchoRequest.Parse(message));
    }

    [Theory]
    [InlineData("StructureSize 9 (an ERROR body)", "0900 0000 00000000 00")]
    [InlineData("truncated", "0400")]
    public void Parse_Malformed_Throws(string description, string body)
    {
        byte[] message = TestMessages.Smb2(body);

        var e = Assert.Throws<SmbProtocolException>(() => LogoffResponse.Parse(message));

        Assert.Contains("LOGOFF response", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }
}
