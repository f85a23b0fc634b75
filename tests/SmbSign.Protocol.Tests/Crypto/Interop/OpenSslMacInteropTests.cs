using System.Security.Cryptography;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Smb2;
using SmbSign.Testing;

namespace SmbSign.Protocol.Tests.Crypto.Interop;

/// <summary>
/// HMAC-SHA256, AES-128-CMAC and AES-128-GMAC against OpenSSL 3's <c>openssl mac</c> (an independent implementation),
/// on random keys and lengths including 0, 1, 15, 16, 17 and 1 MiB. Fails when openssl is missing.
/// </summary>
public sealed class OpenSslMacInteropTests
{
    private static readonly int[] Lengths = [0, 1, 15, 16, 17, 31, 33, 64, 127, 4096 + 7, 65536, 1 << 20];
    private static readonly int[] MessageLengths = [64, 65, 80, 1000, 65536 + 8, 1 << 20];

    [Fact]
    public async Task AesCmac_RandomKeysAndLengths_MatchesOpenSsl()
    {
        foreach (int length in Lengths)
        {
            byte[] key = RandomNumberGenerator.GetBytes(16);
            byte[] data = RandomNumberGenerator.GetBytes(length);
            string expected = await OpenSslMacAsync(data, "CMAC", "-cipher", "AES-128-CBC", "-macopt", "hexkey:" + Convert.ToHexString(key));
            foreach (bool portable in new[] { false, true })
            {
                using var cmac = new AesCmac(key, portable);
                byte[] mac = new byte[16];

                cmac.Compute(data, mac);

                Assert.True(expected == Convert.ToHexString(mac), $"length {length}, portable {portable}: openssl {expected}, ours {Convert.ToHexString(mac)}");
            }
        }
    }

    [Fact]
    public async Task AesGmac_RandomKeysNoncesAndLengths_MatchesOpenSsl()
    {
        foreach (int length in Lengths)
        {
            byte[] key = RandomNumberGenerator.GetBytes(16);
            byte[] nonce = RandomNumberGenerator.GetBytes(12);
            byte[] data = RandomNumberGenerator.GetBytes(length);
            string expected = await OpenSslMacAsync(
                data, "GMAC", "-cipher", "AES-128-GCM", "-macopt", "hexkey:" + Convert.ToHexString(key), "-macopt", "hexiv:" + Convert.ToHexString(nonce));
            foreach (bool portable in new[] { false, true })
            {
                using var gmac = new AesGmac(key, portable);
                byte[] tag = new byte[16];

                gmac.Compute(nonce, data, tag);

                Assert.True(expected == Convert.ToHexString(tag), $"length {length}, portable {portable}: openssl {expected}, ours {Convert.ToHexString(tag)}");
            }
        }
    }

    [Fact]
    public async Task HmacSha256_RandomKeysAndLengths_MatchesOpenSsl()
    {
        // SmbSign's HMAC path is the platform's HMAC-SHA256 (IncrementalHash); check it on the same lengths.
        foreach (int length in Lengths)
        {
            byte[] key = RandomNumberGenerator.GetBytes(16);
            byte[] data = RandomNumberGenerator.GetBytes(length);
            string expected = await OpenSslMacAsync(data, "HMAC", "-digest", "SHA256", "-macopt", "hexkey:" + Convert.ToHexString(key));
            using IncrementalHash hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            hmac.AppendData(data);

            Assert.Equal(expected, Convert.ToHexString(hmac.GetHashAndReset()));
        }
    }

    [Theory]
    [InlineData(SigningAlgorithm.HmacSha256)]
    [InlineData(SigningAlgorithm.AesCmac)]
    [InlineData(SigningAlgorithm.AesGmac)]
    public async Task Smb2Signature_RandomMessages_MatchesOpenSslMacOverZeroedMessage(SigningAlgorithm algorithm)
    {
        var random = new Random((int)algorithm);
        foreach (int length in MessageLengths)
        {
            byte[] key = RandomNumberGenerator.GetBytes(16);
            byte[] message = Smb2TestMessages.Create(random, length, flags: length % 2 == 0 ? Smb2Flags.ServerToRedir : Smb2Flags.None, messageId: (ulong)random.NextInt64());
            using var signer = new Smb2MessageSigner(algorithm, key);
            signer.Sign(message);
            byte[] zeroed = message.ToArray();
            zeroed.AsSpan(48, 16).Clear();
            byte[] nonce = new byte[12];
            Smb2Signing.WriteGmacNonce(message, nonce);
            string keyOption = "hexkey:" + Convert.ToHexString(key);

            string expected = algorithm switch
            {
                SigningAlgorithm.HmacSha256 => (await OpenSslMacAsync(zeroed, "HMAC", "-digest", "SHA256", "-macopt", keyOption))[..32],
                SigningAlgorithm.AesCmac => await OpenSslMacAsync(zeroed, "CMAC", "-cipher", "AES-128-CBC", "-macopt", keyOption),
                _ => await OpenSslMacAsync(zeroed, "GMAC", "-cipher", "AES-128-GCM", "-macopt", keyOption, "-macopt", "hexiv:" + Convert.ToHexString(nonce)),
            };

            Assert.True(expected == Convert.ToHexString(message.AsSpan(48, 16)), $"{algorithm} length {length}");
            Assert.True(signer.Verify(message));
        }
    }

    private static async Task<string> OpenSslMacAsync(byte[] data, string algorithm, params string[] options)
    {
        string openssl = ToolLocator.Require("openssl", "openssl");
        string file = Path.Combine(Path.GetTempPath(), $"smbsign-mac-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(file, data);
        try
        {
            (int exitCode, string output) = await ProcessRunner.RunAsync(
                openssl, ["mac", .. options, "-in", file, algorithm], standardInput: null, TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, $"openssl mac {algorithm} failed: {output}");
            return output.Trim().ToUpperInvariant();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
