using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using SmbSign.Protocol;
using SmbSign.Protocol.Crypto;
using SmbSign.Protocol.Smb2;

namespace SmbSign.Benchmarks;

/// <summary>
/// Signing one SMB message per operation with a reusable signer (the session hot path), per algorithm and size.
/// The baseline is the platform's own AES-GCM tag over the same bytes (BCL <see cref="AesGcm"/>, empty plaintext):
/// the Ratio column shows the AES-GMAC engine against it. Goal: 0 B allocated per operation.
/// </summary>
[MemoryDiagnoser]
public class SigningBenchmarks : IDisposable
{
    private readonly byte[] _key = new byte[16];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _tag = new byte[16];
    private byte[] _smb2 = [];
    private byte[] _smb1 = [];
    private byte[] _cbcOutput = [];
    private Smb2MessageSigner _hmac = null!;
    private Smb2MessageSigner _cmac = null!;
    private Smb2MessageSigner _gmac = null!;
    private Smb1MessageSigner _md5 = null!;
    private AesGcm _platformGcm = null!;
    private Aes _platformAes = null!;

    [Params(128, 4096, 65536, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_key);
        _smb2 = RandomNumberGenerator.GetBytes(Size);
        new Smb2Header(1, 0, Smb2Command.Write, 1, Smb2Flags.None, 0, 42, 0, 1, 0x1000).Write(_smb2);
        _smb1 = RandomNumberGenerator.GetBytes(Size);
        _smb1[0] = 0xFF;
        "SMB"u8.CopyTo(_smb1.AsSpan(1));
        _cbcOutput = new byte[Size];
        _hmac = new Smb2MessageSigner(SigningAlgorithm.HmacSha256, _key);
        _cmac = new Smb2MessageSigner(SigningAlgorithm.AesCmac, _key);
        _gmac = new Smb2MessageSigner(SigningAlgorithm.AesGmac, _key);
        _md5 = new Smb1MessageSigner(_key);
        _platformGcm = new AesGcm(_key, 16);
        _platformAes = Aes.Create();
        _platformAes.Key = _key;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _hmac.Dispose();
        _cmac.Dispose();
        _gmac.Dispose();
        _md5.Dispose();
        _platformGcm.Dispose();
        _platformAes.Dispose();
    }

    [Benchmark]
    public void HmacSha256() => _hmac.Sign(_smb2);

    [Benchmark]
    public void AesCmac() => _cmac.Sign(_smb2);

    [Benchmark]
    public void AesGmac() => _gmac.Sign(_smb2);

    [Benchmark]
    public void Md5Smb1() => _md5.Sign(_smb1, 2);

    /// <summary>Reference: the platform's AES-GCM tag with empty plaintext over the same bytes.</summary>
    [Benchmark(Baseline = true)]
    public void PlatformAesGcmTag() => _platformGcm.Encrypt(_nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, _tag, _smb2);

    /// <summary>Reference: the platform's one-shot AES-128-CBC over the same bytes (what a one-shot-based CMAC costs at least).</summary>
    [Benchmark]
    public void PlatformAesCbc() => _platformAes.EncryptCbc(_smb2, _tag, _cbcOutput, PaddingMode.None);
}

/// <summary>Verifying one signed message (never copies or modifies it), per algorithm and size.</summary>
[MemoryDiagnoser]
public class VerifyBenchmarks : IDisposable
{
    private byte[] _hmacMessage = [];
    private byte[] _cmacMessage = [];
    private byte[] _gmacMessage = [];
    private Smb2MessageSigner _hmac = null!;
    private Smb2MessageSigner _cmac = null!;
    private Smb2MessageSigner _gmac = null!;

    [Params(128, 65536, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        _hmac = new Smb2MessageSigner(SigningAlgorithm.HmacSha256, key);
        _cmac = new Smb2MessageSigner(SigningAlgorithm.AesCmac, key);
        _gmac = new Smb2MessageSigner(SigningAlgorithm.AesGmac, key);
        _hmacMessage = Signed(_hmac);
        _cmacMessage = Signed(_cmac);
        _gmacMessage = Signed(_gmac);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _hmac.Dispose();
        _cmac.Dispose();
        _gmac.Dispose();
    }

    [Benchmark]
    public bool HmacSha256() => _hmac.Verify(_hmacMessage);

    [Benchmark(Baseline = true)]
    public bool AesCmac() => _cmac.Verify(_cmacMessage);

    [Benchmark]
    public bool AesGmac() => _gmac.Verify(_gmacMessage);

    private byte[] Signed(Smb2MessageSigner signer)
    {
        byte[] message = RandomNumberGenerator.GetBytes(Size);
        new Smb2Header(1, 0, Smb2Command.Read, 1, Smb2Flags.ServerToRedir, 0, 42, 0, 1, 0x1000).Write(message);
        signer.Sign(message);
        return message;
    }
}

/// <summary>Per-session costs: expanding a signing key, deriving SMB 3.1.1 keys, one preauth hash step, the NTLMv2 chain.</summary>
[MemoryDiagnoser]
public class SessionKeyBenchmarks : IDisposable
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(16);
    private readonly byte[] _preauth = RandomNumberGenerator.GetBytes(64);
    private readonly byte[] _negotiate = RandomNumberGenerator.GetBytes(174);
    private readonly PreauthIntegrityHash _hash = new();

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _hash.Dispose();
    }

    [Benchmark]
    public void CreateGmacSigner()
    {
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesGmac, _key);
    }

    [Benchmark]
    public void CreateCmacSigner()
    {
        using var signer = new Smb2MessageSigner(SigningAlgorithm.AesCmac, _key);
    }

    [Benchmark]
    public void DeriveSmb311Keys()
    {
        using Smb3SessionKeys keys = Smb3SessionKeys.Derive(Dialect.Smb311, _key, _preauth);
    }

    [Benchmark]
    public void PreauthHashUpdate() => _hash.Update(_negotiate);

    [Benchmark]
    public byte[] NtlmV2SessionKey()
    {
        byte[] ntOwfV2 = Protocol.Security.Ntlm.NtlmCrypto.NtOwfV2("Password01!", "administrator", "SUT311");
        return Protocol.Security.Ntlm.NtlmCrypto.ComputeNtlmV2Response(ntOwfV2, _key.AsSpan(0, 8), _negotiate).SessionBaseKey;
    }
}
