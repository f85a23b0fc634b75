namespace SmbSign.Protocol.Crypto;

/// <summary>The sequence numbers one SMB1 request and its response are signed with.</summary>
/// <param name="Request">Number the request is signed with.</param>
/// <param name="Response">Number its response is signed with (Request + 1), or null for a request without a response (NT_CANCEL).</param>
public readonly record struct Smb1SequenceNumbers(uint Request, uint? Response);

/// <summary>
/// SMB1 signing sequence numbers for one connection ([MS-CIFS] 3.2.4.1.1, 3.3.5.1; Samba
/// <c>smb_signing_next_seqnum</c>). The SESSION_SETUP_ANDX exchange that activates signing is signed with 0 (request)
/// and 1 (response); after that each request takes the next number n and its response n + 1, so the counter advances
/// by two; a request that gets no response (NT_CANCEL) advances it by one. Client and server keep the same counter.
/// Not thread-safe: call it where requests are serialized onto the wire.
/// </summary>
public sealed class Smb1SigningSequence
{
    /// <summary>Starts at <paramref name="next"/> (0: the request that activates signing).</summary>
    public Smb1SigningSequence(uint next = 0)
    {
        Next = next;
    }

    /// <summary>The number the next request will be signed with.</summary>
    public uint Next { get; private set; }

    /// <summary>Reserves the numbers of the next request (and of its response when <paramref name="expectsResponse"/>).</summary>
    public Smb1SequenceNumbers NextRequest(bool expectsResponse = true)
    {
        uint request = Next;
        Next = unchecked(Next + (expectsResponse ? 2u : 1u));
        return new Smb1SequenceNumbers(request, expectsResponse ? unchecked(request + 1) : null);
    }

    /// <summary>An NT_CANCEL request: signed with the next number, no response, counter advances by one.</summary>
    public Smb1SequenceNumbers NextCancel() => NextRequest(expectsResponse: false);

    /// <summary>The number a response to a request signed with <paramref name="requestSequence"/> carries.</summary>
    public static uint ResponseFor(uint requestSequence) => unchecked(requestSequence + 1);
}
