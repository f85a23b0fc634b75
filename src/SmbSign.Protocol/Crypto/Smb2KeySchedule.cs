using SmbSign.Protocol.Smb2;

namespace SmbSign.Protocol.Crypto;

/// <summary>The client's key schedule for one SMB2/3 session ([MS-SMB2] 3.2.5.2, 3.2.5.3.1): the 3.1.1 preauth
/// integrity hash over NEGOTIATE and every SESSION_SETUP request and MORE_PROCESSING response (never the final
/// SUCCESS response), then the signing key from the GSS session key, and one signer for the session. The session client,
/// the capture analyzer (which replays the captured NEGOTIATE and SESSION_SETUP messages in wire order) and the
/// published-trace test all drive this same class.</summary>
public sealed class Smb2KeySchedule : IDisposable
{
    private readonly PreauthIntegrityHash? _hash;
    private Smb3SessionKeys? _keys;
    private Smb2MessageSigner? _signer;

    private Smb2KeySchedule(Dialect dialect, SigningAlgorithm algorithm, PreauthIntegrityHash? hash)
    {
        Dialect = dialect;
        Algorithm = algorithm;
        _hash = hash;
    }

    public Dialect Dialect { get; }

    public SigningAlgorithm Algorithm { get; }

    /// <summary>Session.PreauthIntegrityHashValue so far (empty before 3.1.1).</summary>
    public ReadOnlySpan<byte> PreauthHash => _hash is null ? [] : _hash.Value;

    /// <summary>The derived keys, once <see cref="Complete"/> ran.</summary>
    public Smb3SessionKeys? Keys => _keys;

    /// <summary>The signer keyed with Session.SigningKey (2.x: Session.SessionKey), once <see cref="Complete"/> ran.</summary>
    public Smb2MessageSigner? Signer => _signer;

    /// <summary>Starts the schedule after NEGOTIATE: at 3.1.1 the connection hash covers the request and the response
    /// exactly as sent and received; the session hash starts as a copy of it.</summary>
    public static Smb2KeySchedule AfterNegotiate(Dialect dialect, SigningAlgorithm algorithm, ReadOnlySpan<byte> negotiateRequest, ReadOnlySpan<byte> negotiateResponse)
    {
        PreauthIntegrityHash? hash = null;
        if (dialect == Dialect.Smb311)
        {
            hash = new PreauthIntegrityHash();
            hash.Update(negotiateRequest);
            hash.Update(negotiateResponse);
        }

        return new Smb2KeySchedule(dialect, algorithm, hash);
    }

    /// <summary>Hashes a SESSION_SETUP request as sent (3.1.1).</summary>
    public void OnSessionSetupRequest(ReadOnlySpan<byte> request) => _hash?.Update(request);

    /// <summary>Hashes a SESSION_SETUP response when its status is MORE_PROCESSING_REQUIRED (3.1.1); the final SUCCESS
    /// response and error responses are not hashed.</summary>
    public void OnSessionSetupResponse(ReadOnlySpan<byte> response)
    {
        if (_hash is not null && Smb2Header.Read(response).Status == NtStatus.MoreProcessingRequired)
        {
            _hash.Update(response);
        }
    }

    /// <summary>Derives the session keys from <paramref name="gssSessionKey"/> (NTLM ExportedSessionKey) and the current
    /// preauth hash, and creates the session's signer.</summary>
    public Smb2MessageSigner Complete(ReadOnlySpan<byte> gssSessionKey)
    {
        if (_signer is not null)
        {
            throw new InvalidOperationException("The session keys were already derived.");
        }

        _keys = Smb3SessionKeys.Derive(Dialect, gssSessionKey, PreauthHash);
        _signer = new Smb2MessageSigner(Algorithm, _keys.SigningKey);
        return _signer;
    }

    public void Dispose()
    {
        _signer?.Dispose();
        _keys?.Dispose();
        _hash?.Dispose();
    }
}
