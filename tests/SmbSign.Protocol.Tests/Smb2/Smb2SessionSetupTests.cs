using System.Buffers.Binary;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.SessionSetup;

namespace SmbSign.Protocol.Tests.Smb2;

public sealed class Smb2SessionSetupTests
{
    [Fact]
    public void Request_Write_LayoutAndRoundTrip()
    {
        var request = new Smb2SessionSetupRequest { SecurityMode = Smb2SecurityMode.SigningRequired, SecurityBuffer = new byte[] { 1, 2, 3 }, PreviousSessionId = 7 };

        byte[] bytes = request.ToArray(Smb2Requests.Header(Smb2Command.SessionSetup, 2, sessionId: 0));
        Smb2SessionSetupRequest parsed = Smb2SessionSetupRequest.Parse(bytes);

        // StructureSize 25, Flags 0, SecurityMode 2, Capabilities 0, Channel 0, SecurityBufferOffset 88, Length 3.
        Assert.Equal("19000002" + "00000000" + "00000000" + "5800" + "0300", Convert.ToHexString(bytes, 64, 16));
        Assert.Equal(request.SecurityBuffer.ToArray(), parsed.SecurityBuffer.ToArray());
        Assert.Equal(7UL, parsed.PreviousSessionId);
        Assert.Equal(Smb2SecurityMode.SigningRequired, parsed.SecurityMode);
    }

    [Fact]
    public void Response_MoreProcessing_RoundTrip()
    {
        var response = new Smb2SessionSetupResponse { Status = NtStatus.MoreProcessingRequired, SessionId = 0x1234, SessionFlags = Smb2SessionFlags.IsGuest, SecurityBuffer = new byte[] { 9, 9 } };

        Smb2SessionSetupResponse parsed = Smb2SessionSetupResponse.Parse(response.ToArray(3));

        Assert.Equal(NtStatus.MoreProcessingRequired, parsed.Status);
        Assert.Equal(0x1234UL, parsed.SessionId);
        Assert.True(parsed.IsGuest);
        Assert.Equal(new byte[] { 9, 9 }, parsed.SecurityBuffer.ToArray());
    }

    [Theory]
    [InlineData("error status", 8, 0xC000006D, "0xC000006D")]
    [InlineData("buffer past the end", 70, 500, "SecurityBuffer")]
    [InlineData("buffer offset in the fixed part", 68, 64, "fixed part")]
    public void Response_Malformed_Throws(string description, int field, uint value, string expected)
    {
        byte[] bytes = new Smb2SessionSetupResponse { Status = NtStatus.Success, SecurityBuffer = new byte[] { 1 } }.ToArray(1);
        if (field == 8)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(field), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(field), (ushort)value);
        }

        SmbProtocolException e = Assert.Throws<SmbProtocolException>(() => Smb2SessionSetupResponse.Parse(bytes));

        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{description}: {e.Message}");
    }
}
