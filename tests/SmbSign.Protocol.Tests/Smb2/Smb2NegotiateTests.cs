using System.Buffers.Binary;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Negotiate;

namespace SmbSign.Protocol.Tests.Smb2;

public sealed class Smb2NegotiateTests
{
    private static readonly byte[] s_salt = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void CreateProbe_Write_MatchesProtocolNotesLayout()
    {
        byte[] message = Smb2NegotiateRequest.CreateProbe(Guid.Empty, s_salt).ToArray(Smb2Requests.Header(Smb2Command.Negotiate, 1));

        // protocol notes §15.2: StructureSize 36, DialectCount 5, SecurityMode 1, contexts at 112, dialects 0202..0311.
        Assert.Equal("2400050001000000", Convert.ToHexString(message, 64, 8));
        Assert.Equal(112u, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(92)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(96)));
        Assert.Equal("02021002000302031103", Convert.ToHexString(message, 100, 10));
        Assert.Equal("0000", Convert.ToHexString(message, 110, 2));
        // PREAUTH: type 1, length 38, count 1, salt 32, SHA-512, then the salt; the next context starts at 160.
        Assert.Equal("0100260000000000" + "01002000" + "0100", Convert.ToHexString(message, 112, 14));
        Assert.Equal(s_salt, message.AsSpan(126, 32).ToArray());
        Assert.Equal(0x0002, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(160)));
        // SIGNING is the last context: count 3, GMAC, CMAC, HMAC.
        Assert.Equal("0800080000000000" + "0300" + "020001000000", Convert.ToHexString(message, message.Length - 16, 16));
    }

    [Fact]
    public void Request_RoundTrip_PreservesEveryField()
    {
        var guid = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        Smb2NegotiateRequest request = Smb2NegotiateRequest.CreateProbe(guid, s_salt) with
        {
            Contexts = Smb2NegotiateRequest.CreateProbe(guid, s_salt).Contexts! with { NetName = "fileserver", TransportFlags = 1, RdmaTransforms = [1, 2] },
        };
        byte[] bytes = request.ToArray(Smb2Requests.Header(Smb2Command.Negotiate, 0));

        Smb2NegotiateRequest parsed = Smb2NegotiateRequest.Parse(bytes);

        Assert.Equal(request.Dialects, parsed.Dialects);
        Assert.Equal(guid, parsed.ClientGuid);
        Assert.Equal(request.Capabilities, parsed.Capabilities);
        Assert.Equal(s_salt, parsed.Contexts!.PreauthSalt.ToArray());
        Assert.Equal([SigningAlgorithm.AesGmac, SigningAlgorithm.AesCmac, SigningAlgorithm.HmacSha256], parsed.Contexts.SigningAlgorithms);
        Assert.Equal("fileserver", parsed.Contexts.NetName);
        Assert.Equal(1u, parsed.Contexts.TransportFlags);
        Assert.Equal(new ushort[] { 1, 2 }, parsed.Contexts.RdmaTransforms);
        Assert.Equal(4, parsed.Contexts.Compression!.Algorithms.Count);
        Assert.Equal(7, parsed.Contexts.Count);
    }

    [Fact]
    public void Response_RoundTrip_ReadsChosenAlgorithmAndCipher()
    {
        byte[] bytes = Response(Dialect.Smb311, Smb2SecurityMode.SigningEnabled, new Smb2NegotiateContexts
        {
            PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
            PreauthSalt = s_salt,
            Ciphers = [EncryptionCipher.Aes256Gcm],
            SigningAlgorithms = [SigningAlgorithm.HmacSha256],
        });

        Smb2NegotiateResponse response = Smb2NegotiateResponse.Parse(bytes);

        Assert.Equal(Dialect.Smb311, response.DialectRevision);
        Assert.False(response.SigningRequired);
        Assert.Equal(SigningAlgorithm.HmacSha256, response.ConnectionSigningAlgorithm);
        Assert.Equal(EncryptionCipher.Aes256Gcm, response.ConnectionCipher);
        Assert.Equal("A0020500", Convert.ToHexString(response.SecurityBuffer.Span));
    }

    [Theory]
    [InlineData(Dialect.Smb202, SigningAlgorithm.HmacSha256)]
    [InlineData(Dialect.Smb210, SigningAlgorithm.HmacSha256)]
    [InlineData(Dialect.Smb300, SigningAlgorithm.AesCmac)]
    [InlineData(Dialect.Smb302, SigningAlgorithm.AesCmac)]
    public void ConnectionSigningAlgorithm_ByDialect(Dialect dialect, SigningAlgorithm expected)
    {
        Assert.Equal(expected, Smb2NegotiateResponse.Parse(Response(dialect, Smb2SecurityMode.SigningRequired, null)).ConnectionSigningAlgorithm);
    }

    [Fact] // [MS-SMB2] 3.1.4.1: 3.1.1 without a SIGNING context signs with AES-CMAC.
    public void ConnectionSigningAlgorithm_311WithoutSigningContext_IsCmac()
    {
        byte[] bytes = Response(Dialect.Smb311, Smb2SecurityMode.SigningEnabled, new Smb2NegotiateContexts { PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512], PreauthSalt = s_salt });

        Assert.Equal(SigningAlgorithm.AesCmac, Smb2NegotiateResponse.Parse(bytes).ConnectionSigningAlgorithm);
    }

    [Fact] // libsmb2 #154: below 3.1.1 the context fields are reserved and must be ignored.
    public void Parse_Below311WithGarbageContextFields_IgnoresThem()
    {
        byte[] bytes = Response(Dialect.Smb300, Smb2SecurityMode.SigningEnabled, null);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(70), 9);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(124), 0xFFFFFFF0);

        Assert.Null(Smb2NegotiateResponse.Parse(bytes).Contexts);
    }

    [Fact]
    public void Parse_UnknownContextType_IsSkippedAndKept()
    {
        byte[] bytes = Response(Dialect.Smb311, Smb2SecurityMode.SigningEnabled, new Smb2NegotiateContexts
        {
            PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
            PreauthSalt = s_salt,
            SigningAlgorithms = [SigningAlgorithm.AesGmac],
        });
        // Turn the PREAUTH context (the first) into an unknown type 0x0100 (Samba's POSIX context id) and add one.
        int offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(124));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), 0x0100);

        Smb2NegotiateContexts contexts = Smb2NegotiateResponse.Parse(bytes).Contexts!;

        Assert.Null(contexts.PreauthHashAlgorithms);
        Assert.Equal(0x0100, Assert.Single(contexts.Unknown).ContextType);
        Assert.Equal([SigningAlgorithm.AesGmac], contexts.SigningAlgorithms);
    }

    [Theory]
    [InlineData("NegotiateContextCount larger than the list", 70, 5, "NegotiateContextCount is 5")]
    [InlineData("NegotiateContextCount zero at 3.1.1", 70, 0, "NegotiateContextCount 0")]
    [InlineData("NegotiateContextOffset beyond the message", 124, 4000, "NegotiateContextOffset")]
    [InlineData("NegotiateContextOffset inside the header", 124, 8, "NegotiateContextOffset")]
    [InlineData("NegotiateContextOffset not aligned", 124, 153, "not 8-byte aligned")]
    [InlineData("SecurityBufferLength past the end", 122, 4000, "SecurityBuffer")]
    [InlineData("SecurityBufferOffset inside the fixed part", 120, 64, "fixed part")]
    [InlineData("StructureSize wrong", 64, 64, "StructureSize is 64")]
    public void Parse_MalformedResponse_ThrowsWithLocation(string description, int field, int value, string expected)
    {
        byte[] bytes = Response(Dialect.Smb311, Smb2SecurityMode.SigningEnabled, new Smb2NegotiateContexts
        {
            PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
            PreauthSalt = s_salt,
            SigningAlgorithms = [SigningAlgorithm.AesGmac],
        });
        if (field is 70 or 64 or 120 or 122)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(field), (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(field), (uint)value);
        }

        SmbProtocolException e = Assert.Throws<SmbProtocolException>(() => Smb2NegotiateResponse.Parse(bytes));

        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{description}: {e.Message}");
        Assert.NotNull(e.Offset);
    }

    [Theory]
    [InlineData("context header cut", 4)]
    [InlineData("context data cut", 12)]
    [InlineData("salt cut", 40)]
    public void Parse_TruncatedContexts_Throws(string description, int keepAfterContextStart)
    {
        byte[] bytes = Response(Dialect.Smb311, Smb2SecurityMode.SigningEnabled, new Smb2NegotiateContexts { PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512], PreauthSalt = s_salt });
        int offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(124));

        byte[] cut = bytes.AsSpan(0, offset + keepAfterContextStart).ToArray();

        Assert.Throws<SmbProtocolException>(() => Smb2NegotiateResponse.Parse(cut));
        Assert.True(cut.Length < bytes.Length, description);
    }

    [Fact]
    public void Parse_EveryTruncation_ThrowsProtocolExceptionOnly()
    {
        byte[] bytes = Response(Dialect.Smb311, Smb2SecurityMode.SigningEnabled, new Smb2NegotiateContexts
        {
            PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512],
            PreauthSalt = s_salt,
            Ciphers = [EncryptionCipher.Aes128Gcm],
            SigningAlgorithms = [SigningAlgorithm.AesGmac],
        });

        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] cut = bytes.AsSpan(0, length).ToArray();
            Assert.Throws<SmbProtocolException>(() => Smb2NegotiateResponse.Parse(cut));
        }
    }

    [Fact]
    public void Parse_DuplicateKnownContext_Throws()
    {
        var contexts = new Smb2NegotiateContexts { PreauthHashAlgorithms = [PreauthHashAlgorithm.Sha512], PreauthSalt = s_salt, Ciphers = [EncryptionCipher.Aes128Gcm] };
        byte[] bytes = Response(Dialect.Smb311, Smb2SecurityMode.SigningEnabled, contexts);
        int offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(124));
        int second = offset + ((8 + 38 + 7) & ~7);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(second), 0x0001);

        SmbProtocolException e = Assert.Throws<SmbProtocolException>(() => Smb2NegotiateResponse.Parse(bytes));

        Assert.Contains("duplicate", e.Message, StringComparison.Ordinal);
    }

    internal static byte[] Response(Dialect dialect, Smb2SecurityMode mode, Smb2NegotiateContexts? contexts) =>
        new Smb2NegotiateResponse
        {
            SecurityMode = mode,
            DialectRevision = dialect,
            ServerGuid = Guid.NewGuid(),
            Capabilities = Smb2Capabilities.Dfs | Smb2Capabilities.Encryption,
            MaxTransactSize = 65536,
            MaxReadSize = 65536,
            MaxWriteSize = 65536,
            SystemTime = 133_000_000_000_000_000,
            SecurityBuffer = new byte[] { 0xA0, 0x02, 0x05, 0x00 },
            Contexts = contexts,
        }.ToArray(Smb2Requests.ResponseHeader(Smb2Command.Negotiate, 1, NtStatus.Success));
}
