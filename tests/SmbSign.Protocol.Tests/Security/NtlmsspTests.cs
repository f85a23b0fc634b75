using System.Buffers.Binary;
using SmbSign.Protocol.Security.Ntlmssp;

namespace SmbSign.Protocol.Tests.Security;

public sealed class NtlmsspTests
{
    [Fact]
    public void Negotiate_Default_FlagsAndVersion()
    {
        byte[] bytes = new NtlmNegotiateMessage().ToArray();

        Assert.Equal("4E544C4D53535000" + "01000000" + "178288E2", Convert.ToHexString(bytes, 0, 16));
        Assert.Equal(40, bytes.Length);
        Assert.Equal(NtlmNegotiateMessage.DefaultFlags, NtlmNegotiateMessage.Parse(bytes).Flags);
        Assert.Equal("10.0.20348", NtlmNegotiateMessage.Parse(bytes).Version.ToString());
    }

    [Fact]
    public void Challenge_RoundTrip_TargetInfoNamesAndVersion()
    {
        var challenge = new NtlmChallengeMessage
        {
            TargetName = "CORP",
            Flags = NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.TargetInfo | NtlmNegotiateFlags.Version,
            ServerChallenge = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 },
            TargetInfo = NtlmTargetInfo.FromNames((NtlmAvId.NbDomainName, "CORP"), (NtlmAvId.NbComputerName, "FS01"), (NtlmAvId.DnsComputerName, "fs01.corp.example"), (NtlmAvId.DnsDomainName, "corp.example"))
                .With(NtlmAvId.Timestamp, BitConverter.GetBytes(133_000_000_000_000_000UL)),
            Version = new NtlmVersion(10, 0, 26100),
        };

        NtlmChallengeMessage parsed = NtlmChallengeMessage.Parse(challenge.ToArray());

        Assert.Equal("CORP", parsed.TargetName);
        Assert.Equal("FS01", parsed.TargetInfo!.NbComputerName);
        Assert.Equal("CORP", parsed.TargetInfo.NbDomainName);
        Assert.Equal("fs01.corp.example", parsed.TargetInfo.DnsComputerName);
        Assert.Equal("corp.example", parsed.TargetInfo.DnsDomainName);
        Assert.Equal(133_000_000_000_000_000UL, parsed.TargetInfo.Timestamp);
        Assert.Equal("10.0.26100", parsed.Version.ToString());
        Assert.Equal(challenge.ServerChallenge.ToArray(), parsed.ServerChallenge.ToArray());
    }

    [Theory]
    [InlineData("TargetInfo past the end", 40, 500)]
    [InlineData("TargetInfo offset past the end", 44, 5000)]
    [InlineData("TargetName past the end", 12, 500)]
    public void Challenge_FieldOutsideMessage_Throws(string description, int descriptor, int value)
    {
        byte[] bytes = new NtlmChallengeMessage { Flags = NtlmNegotiateFlags.Unicode, TargetName = "X", TargetInfo = NtlmTargetInfo.FromNames((NtlmAvId.NbComputerName, "A")) }.ToArray();
        if (descriptor == 44)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(descriptor), (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(descriptor), (ushort)value);
        }

        Assert.Throws<SmbProtocolException>(() => NtlmChallengeMessage.Parse(bytes));
        Assert.NotEmpty(description);
    }

    [Theory]
    [InlineData("pair longer than the list", "01000A00410042")]
    [InlineData("half a pair header", "0100")]
    public void TargetInfo_Malformed_Throws(string description, string hex)
    {
        Assert.Throws<SmbProtocolException>(() => NtlmTargetInfo.Parse(Convert.FromHexString(hex)));
        Assert.NotEmpty(description);
    }

    [Fact]
    public void TargetInfo_StopsAtEol()
    {
        NtlmTargetInfo info = NtlmTargetInfo.Parse(Convert.FromHexString("0100020041000000000007000100"));

        Assert.Equal("A", info.NbComputerName);
        Assert.Single(info.Pairs);
    }

    [Fact]
    public void Authenticate_Write_MicSlotAtOffset72AndRoundTrip()
    {
        var message = new NtlmAuthenticateMessage
        {
            LmChallengeResponse = new byte[24],
            NtChallengeResponse = Enumerable.Repeat((byte)0xAB, 48).ToArray(),
            DomainName = "Domain",
            UserName = "User",
            Workstation = "COMPUTER",
            EncryptedRandomSessionKey = Enumerable.Repeat((byte)0x55, 16).ToArray(),
            Flags = NtlmNegotiateFlags.Unicode | NtlmNegotiateFlags.KeyExchange | NtlmNegotiateFlags.Version,
        };
        byte[] bytes = message.ToArray();
        byte[] mic = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

        Assert.True(bytes.AsSpan(NtlmAuthenticateMessage.MicOffset, 16).IndexOfAnyExcept((byte)0) < 0);
        NtlmAuthenticateMessage.WriteMic(bytes, mic);
        NtlmAuthenticateMessage parsed = NtlmAuthenticateMessage.Parse(bytes);

        Assert.Equal(88u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32)));
        Assert.True(parsed.HasMic);
        Assert.Equal(mic, parsed.Mic.ToArray());
        Assert.Equal("User", parsed.UserName);
        Assert.Equal("Domain", parsed.DomainName);
        Assert.Equal("COMPUTER", parsed.Workstation);
        Assert.Equal(message.NtChallengeResponse.ToArray(), parsed.NtChallengeResponse.ToArray());
        Assert.Equal(message.EncryptedRandomSessionKey.ToArray(), parsed.EncryptedRandomSessionKey.ToArray());
        Assert.Equal(bytes.Length, message.GetEncodedLength());
    }

    [Fact]
    public void Authenticate_WithoutMic_PayloadAt72()
    {
        byte[] bytes = new NtlmAuthenticateMessage { HasMic = false, UserName = "u", Flags = NtlmNegotiateFlags.Unicode }.ToArray();

        NtlmAuthenticateMessage parsed = NtlmAuthenticateMessage.Parse(bytes);

        Assert.False(parsed.HasMic);
        Assert.Equal("u", parsed.UserName);
    }

    [Theory]
    [InlineData("not NTLMSSP", "4E544C4D5353500101000000")]
    [InlineData("wrong type", "4E544C4D5353500002000000")]
    [InlineData("too short", "4E544C4D53535000")]
    public void Authenticate_NotAnAuthenticateMessage_Throws(string description, string hex)
    {
        Assert.Throws<SmbProtocolException>(() => NtlmAuthenticateMessage.Parse(Convert.FromHexString(hex)));
        Assert.NotEmpty(description);
    }
}
