using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Errors;
using SmbSign.Protocol.Smb2.Ioctl;

namespace SmbSign.Protocol.Tests.Smb2.Messages;

public sealed class IoctlErrorTests
{
    private static readonly Guid s_guid = new("00112233-4455-6677-8899-AABBCCDDEEFF");

    // [MS-SMB2] 2.2.31.4: Capabilities 0x44 | Guid (mixed-endian as on the wire) | SecurityMode ENABLED | DialectCount 4 | 0x0202 0x0210 0x0300 0x0302
    private const string ValidateInput = "44000000 33221100554477668899AABBCCDDEEFF 0100 0400 0202 1002 0003 0203";

    [Fact]
    public void ValidateNegotiateInfo_ToIoctl_MatchesSpecLayout()
    {
        var validate = new ValidateNegotiateInfoRequest
        {
            Capabilities = 0x44,
            ClientGuid = s_guid,
            SecurityMode = Smb2SecurityMode.SigningEnabled,
            Dialects = [Dialect.Smb202, Dialect.Smb210, Dialect.Smb300, Dialect.Smb302],
        };

        string hex = TestMessages.Write(validate.ToIoctl());

        // [MS-SMB2] 2.2.31: StructureSize 57 | Reserved | CtlCode 0x00140204 | FileId FF…FF | InputOffset 120 | InputCount 32
        // | MaxInputResponse 0 | OutputOffset 0 | OutputCount 0 | MaxOutputResponse 24 | Flags IS_FSCTL | Reserved2 | input
        Assert.Equal(Convert.ToHexString(TestMessages.Hex(
            "3900 0000 04021400 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 78000000 20000000 00000000 00000000 00000000 18000000 01000000 00000000 " + ValidateInput)), hex);
        IoctlRequest parsed = IoctlRequest.Parse(TestMessages.Smb2(hex));
        ValidateNegotiateInfoRequest back = ValidateNegotiateInfoRequest.Parse(parsed.Input.Span);
        Assert.Equal(s_guid, back.ClientGuid);
        Assert.Equal([Dialect.Smb202, Dialect.Smb210, Dialect.Smb300, Dialect.Smb302], back.Dialects);
    }

    [Fact]
    public void IoctlResponse_ValidateNegotiate_DecodesOutput()
    {
        // [MS-SMB2] 2.2.32: StructureSize 49 | Reserved | CtlCode | FileId | InputOffset 112 | InputCount 0 | OutputOffset 112
        // | OutputCount 24 | Flags | Reserved2 | output = 2.2.32.6 Capabilities | ServerGuid | SecurityMode 3 | Dialect 0x0302
        byte[] message = TestMessages.Smb2(
            "3100 0000 04021400 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 70000000 00000000 70000000 18000000 00000000 00000000 " +
            "44000000 33221100554477668899AABBCCDDEEFF 0300 0203");

        IoctlResponse response = IoctlResponse.Parse(message);
        ValidateNegotiateInfoResponse validate = ValidateNegotiateInfoResponse.Parse(response.Output.Span);

        Assert.Equal(IoctlRequest.FsctlValidateNegotiateInfo, response.CtlCode);
        Assert.Equal(new ValidateNegotiateInfoResponse(0x44, s_guid, Smb2SecurityMode.SigningEnabled | Smb2SecurityMode.SigningRequired, Dialect.Smb302), validate);
    }

    [Theory]
    [InlineData("output past the end", "70000000 00000000 70000000 19000000")]
    [InlineData("output inside the fixed part", "70000000 00000000 40000000 18000000")]
    [InlineData("input past the end", "70000000 40000000 70000000 18000000")]
    public void IoctlResponse_Malformed_Throws(string description, string offsets)
    {
        byte[] message = TestMessages.Smb2(
            "3100 0000 04021400 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF " + offsets + " 00000000 00000000 " +
            "44000000 33221100554477668899AABBCCDDEEFF 0300 0203");

        var e = Assert.Throws<SmbProtocolException>(() => IoctlResponse.Parse(message));

        Assert.Contains("IOCTL response", e.Message, StringComparison.Ordinal);
        Assert.NotNull(description);
    }

    [Theory]
    [InlineData("23 bytes", "44000000 33221100554477668899AABBCCDDEEFF 0300 02")]
    [InlineData("25 bytes", "44000000 33221100554477668899AABBCCDDEEFF 0300 0203 00")]
    public void ValidateNegotiateInfoResponse_WrongLength_Throws(string description, string hex)
    {
        Assert.Throws<SmbProtocolException>(() => ValidateNegotiateInfoResponse.Parse(TestMessages.Hex(hex)));
        Assert.NotNull(description);
    }

    [Fact]
    public void ValidateNegotiateInfoRequest_DialectCountPastEnd_Throws()
    {
        Assert.Throws<SmbProtocolException>(() => ValidateNegotiateInfoRequest.Parse(TestMessages.Hex("44000000 33221100554477668899AABBCCDDEEFF 0100 0500 0202 1002 0003 0203")));
    }

    [Fact]
    public void ErrorResponse_Plain_ParsesAndIsRecognised()
    {
        // [MS-SMB2] 2.2.2: StructureSize 9 | ErrorContextCount 0 | Reserved | ByteCount 0 | ErrorData (one zero byte)
        byte[] message = TestMessages.Smb2("0900 00 00 00000000 00");

        ErrorResponse response = ErrorResponse.Parse(message);

        Assert.True(ErrorResponse.IsErrorBody(message));
        Assert.Empty(response.Contexts);
        Assert.True(response.ErrorData.IsEmpty);
    }

    [Fact]
    public void ErrorResponse_WithContext_DecodesIt()
    {
        // [MS-SMB2] 2.2.2.1: ErrorDataLength 4 | ErrorId 0 | data EF BE AD DE
        byte[] message = TestMessages.Smb2("0900 01 00 0C000000 04000000 00000000 EFBEADDE");

        ErrorContext context = Assert.Single(ErrorResponse.Parse(message).Contexts);

        Assert.Equal(0u, context.ErrorId);
        Assert.Equal("EFBEADDE", Convert.ToHexString(context.Data.Span));
    }

    [Theory]
    [InlineData("ByteCount past the end", "0900 00 00 10000000 00")]
    [InlineData("context longer than ErrorData", "0900 01 00 0C000000 08000000 00000000 EFBEADDE")]
    [InlineData("two contexts announced, one present", "0900 02 00 0C000000 04000000 00000000 EFBEADDE")]
    public void ErrorResponse_Malformed_Throws(string description, string body)
    {
        Assert.Throws<SmbProtocolException>(() => ErrorResponse.Parse(TestMessages.Smb2(body)));
        Assert.NotNull(description);
    }
}
