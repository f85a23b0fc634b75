using System.Text.Json;
using SmbSign.Protocol.Crypto;
using SmbSign.Testing;

namespace SmbSign.Protocol.Tests.Crypto.Interop;

/// <summary>
/// SMB1 MD5, SMB 2.x HMAC-SHA256 and SMB 3.x AES-CMAC message signatures produced by impacket (fortra/impacket
/// <c>SMB.signSMB</c> and <c>SMB3.signSMB</c>, an independent implementation) verify with SmbSign's signers, and
/// SmbSign re-signs them to the same bytes. Fails when python3 with impacket is missing.
/// </summary>
public sealed class ImpacketSigningInteropTests
{
    private const string Script = """
        import json, os, sys
        from types import SimpleNamespace
        from impacket import smb, smb3
        from impacket.smb3structs import SMB2Packet, SMB2_FLAGS_SIGNED, SMB2_FLAGS_SERVER_TO_REDIR, SMB2_DIALECT_21, SMB2_DIALECT_30
        for i, size in enumerate([0, 1, 40, 1000, 60000]):
            key, response, seq = os.urandom(16), os.urandom(24) if i % 2 else b'', 2 * i + 6
            p = smb.NewSMBPacket()
            p['Flags2'] = smb.SMB.FLAGS2_SMB_SECURITY_SIGNATURE | smb.SMB.FLAGS2_UNICODE
            cmd = smb.SMBCommand(smb.SMB.SMB_COM_ECHO)
            cmd['Parameters'] = smb.SMBEcho_Parameters(); cmd['Parameters']['EchoCount'] = 1
            cmd['Data'] = smb.SMBEcho_Data(); cmd['Data']['Data'] = os.urandom(size)
            p.addCommand(cmd)
            smb.SMB.signSMB(SimpleNamespace(_SignSequenceNumber=seq, _SignatureVerificationEnabled=False), p, key, response)
            print(json.dumps({'kind': 'smb1', 'key': (key + response).hex(), 'seq': seq, 'message': p.getData().hex()}))
            for dialect, kind in ((SMB2_DIALECT_21, 'hmac'), (SMB2_DIALECT_30, 'cmac')):
                q = SMB2Packet()
                q['Command'] = 8; q['MessageID'] = 1000 + i; q['Data'] = os.urandom(size)
                q['Flags'] = SMB2_FLAGS_SIGNED | (SMB2_FLAGS_SERVER_TO_REDIR if i % 2 else 0)
                smb3.SMB3.signSMB(SimpleNamespace(_Connection={'Dialect': dialect}, _Session={'SessionKey': key, 'SigningKey': key}), q)
                print(json.dumps({'kind': kind, 'key': key.hex(), 'seq': 0, 'message': q.getData().hex()}))
        """;

    [Fact]
    public async Task ImpacketSignatures_VerifyAndResignIdentically()
    {
        string python = await FindPythonWithImpacketAsync();
        (int exitCode, string output) = await ProcessRunner.RunAsync(python, ["-c", Script], standardInput: null, TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, output);
        int checkedCount = 0;

        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            string kind = doc.RootElement.GetProperty("kind").GetString()!;
            byte[] key = Convert.FromHexString(doc.RootElement.GetProperty("key").GetString()!);
            uint sequence = doc.RootElement.GetProperty("seq").GetUInt32();
            byte[] message = Convert.FromHexString(doc.RootElement.GetProperty("message").GetString()!);
            byte[] resigned = message.ToArray();

            if (kind == "smb1")
            {
                using var signer = new Smb1MessageSigner(key);
                Assert.True(signer.Verify(message, sequence), $"SMB1 {message.Length} bytes");
                Assert.False(signer.Verify(message, sequence + 1));
                resigned.AsSpan(14, 8).Clear();
                signer.Sign(resigned, sequence);
            }
            else
            {
                using var signer = new Smb2MessageSigner(kind == "hmac" ? SigningAlgorithm.HmacSha256 : SigningAlgorithm.AesCmac, key);
                Assert.True(signer.Verify(message), $"{kind} {message.Length} bytes");
                Assert.False(signer.Verify(TestVectors.FlipBit(message, (message.Length * 8) - 1)));
                resigned.AsSpan(48, 16).Clear();
                signer.Sign(resigned);
            }

            Assert.Equal(Convert.ToHexString(message), Convert.ToHexString(resigned));
            checkedCount++;
        }

        Assert.Equal(15, checkedCount);
    }

    private static async Task<string> FindPythonWithImpacketAsync()
    {
        string?[] candidates = ["/usr/bin/python3", ToolLocator.Find("python3"), ToolLocator.Find("python")];
        foreach (string? candidate in candidates.Where(c => c is not null && File.Exists(c)).Distinct())
        {
            (int exitCode, _) = await ProcessRunner.RunAsync(candidate!, ["-c", "import impacket.smb3"], standardInput: null, TimeSpan.FromSeconds(30));
            if (exitCode == 0)
            {
                return candidate!;
            }
        }

        throw new InvalidOperationException("No python3 with impacket found; install python3-impacket (apt-get install python3-impacket).");
    }
}
