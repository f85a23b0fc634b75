using System.Formats.Asn1;

namespace SmbSign.Protocol.Security.Spnego;

/// <summary>[RFC 4178] 4.2.2 negState.</summary>
public enum SpnegoNegState
{
    AcceptCompleted = 0,
    AcceptIncomplete = 1,
    Reject = 2,
    RequestMic = 3,
}

/// <summary>[RFC 4178] 4.2.1 NegTokenInit, with the [MS-SPNG] 2.2.1 NegTokenInit2 negHints a server puts in the SMB
/// NEGOTIATE response. Encoded inside the GSS-API InitialContextToken ([APPLICATION 0] with the SPNEGO OID).</summary>
public sealed record NegTokenInit
{
    private static readonly Asn1Tag s_gssWrapper = new(TagClass.Application, 0, isConstructed: true);

    /// <summary>Mechanism OIDs in dotted form, most preferred first.</summary>
    public IReadOnlyList<string> MechTypes { get; init; } = [];

    /// <summary>The optimistic token of the first mechanism (e.g. an NTLMSSP NEGOTIATE_MESSAGE); null when absent.</summary>
    public ReadOnlyMemory<byte>? MechToken { get; init; }

    /// <summary>[MS-SPNG] negHints.hintName (Windows: "not_defined_in_RFC4178@please_ignore").</summary>
    public string? HintName { get; init; }

    public ReadOnlyMemory<byte>? MechListMic { get; init; }

    /// <summary>Mechanism names (see <see cref="SpnegoMechanisms.GetName"/>).</summary>
    public IReadOnlyList<string> MechanismNames => MechTypes.Select(SpnegoMechanisms.GetName).ToArray();

    /// <summary>Decodes a GSS InitialContextToken carrying SPNEGO, or a bare <c>[0] NegTokenInit</c>. Malformed ASN.1,
    /// another mechanism's OID or trailing bytes throw <see cref="SmbProtocolException"/>.</summary>
    public static NegTokenInit Decode(ReadOnlySpan<byte> token)
    {
        try
        {
            return DecodeCore(token);
        }
        catch (AsnContentException e)
        {
            throw new SmbProtocolException($"SPNEGO NegTokenInit: malformed ASN.1 ({e.Message})", e);
        }
    }

    private static NegTokenInit DecodeCore(ReadOnlySpan<byte> token)
    {
        if (token.IsEmpty)
        {
            throw new SmbProtocolException("SPNEGO NegTokenInit: empty token", 0);
        }

        ReadOnlySpan<byte> inner = token;
        if (token[0] == 0x60)
        {
            if (!AsnDecoder.TryReadEncodedValue(token, AsnEncodingRules.BER, out _, out int contentOffset, out int contentLength, out int consumed))
            {
                throw new SmbProtocolException("SPNEGO NegTokenInit: the GSS token's length runs past its end", 0);
            }

            if (consumed != token.Length)
            {
                throw new SmbProtocolException($"SPNEGO NegTokenInit: {token.Length - consumed} trailing byte(s) after the token", consumed);
            }

            ReadOnlySpan<byte> body = token.Slice(contentOffset, contentLength);
            string mech = AsnDecoder.ReadObjectIdentifier(body, AsnEncodingRules.BER, out int oidLength);
            if (mech != SpnegoMechanisms.Spnego)
            {
                throw new SmbProtocolException($"GSS token is for mechanism {mech}, not SPNEGO ({SpnegoMechanisms.Spnego})", contentOffset);
            }

            inner = body[oidLength..];
        }

        var reader = new AsnReader(inner.ToArray(), AsnEncodingRules.BER);
        AsnReader choice = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
        reader.ThrowIfNotEmpty();
        AsnReader sequence = choice.ReadSequence();
        choice.ThrowIfNotEmpty();
        var result = new NegTokenInit();
        while (sequence.HasData)
        {
            Asn1Tag tag = sequence.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                throw new SmbProtocolException($"SPNEGO NegTokenInit: unexpected tag {tag}", 0);
            }

            AsnReader field = sequence.ReadSequence(tag);
            switch (tag.TagValue)
            {
                case 0:
                {
                    var mechs = new List<string>();
                    AsnReader list = field.ReadSequence();
                    while (list.HasData)
                    {
                        mechs.Add(list.ReadObjectIdentifier());
                    }

                    result = result with { MechTypes = mechs };
                    break;
                }

                case 1:
                    field.ReadBitString(out _);
                    break;
                case 2:
                    result = result with { MechToken = field.ReadOctetString() };
                    break;
                case 3 when field.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence):
                {
                    AsnReader hints = field.ReadSequence();
                    while (hints.HasData)
                    {
                        Asn1Tag hintTag = hints.PeekTag();

                        // [MS-SPNG] 2.2.1 negHints members are [0]/[1] context tags. A universal tag from the wire
                        // must not reach ReadSequence(tag): for any universal tag but SEQUENCE it throws
                        // ArgumentException (a caller error), not AsnContentException.
                        if (hintTag.TagClass != TagClass.ContextSpecific)
                        {
                            throw new SmbProtocolException($"SPNEGO NegTokenInit: unexpected negHints tag {hintTag}", 0);
                        }

                        AsnReader hint = hints.ReadSequence(hintTag);
                        if (hintTag.TagValue == 0)
                        {
                            result = result with { HintName = ReadGeneralString(hint) };
                        }
                    }

                    break;
                }

                case 3:
                case 4:
                    result = result with { MechListMic = field.ReadOctetString() };
                    break;
                default:
                    break;
            }
        }

        return result;
    }

    /// <summary>Encodes as a GSS InitialContextToken (0x60 … SPNEGO OID … [0] NegTokenInit), DER.</summary>
    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence(s_gssWrapper))
        {
            writer.WriteObjectIdentifier(SpnegoMechanisms.Spnego);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                using (writer.PushSequence())
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    {
                        WriteMechTypeList(writer, MechTypes);
                    }

                    if (MechToken is { } mechToken)
                    {
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                        {
                            writer.WriteOctetString(mechToken.Span);
                        }
                    }

                    if (HintName is not null)
                    {
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
                        {
                            using (writer.PushSequence())
                            {
                                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                                {
                                    WriteGeneralString(writer, HintName);
                                }
                            }
                        }
                    }

                    if (MechListMic is { } mic)
                    {
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, HintName is null ? 3 : 4)))
                        {
                            writer.WriteOctetString(mic.Span);
                        }
                    }
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>DER of the MechTypeList (<c>30 len 06 …</c>): the bytes a mechListMIC covers ([RFC 4178] 5).</summary>
    public static byte[] EncodeMechTypeList(IReadOnlyList<string> mechTypes)
    {
        ArgumentNullException.ThrowIfNull(mechTypes);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        WriteMechTypeList(writer, mechTypes);
        return writer.Encode();
    }

    // System.Formats.Asn1 has no GeneralString support: read and write the TLV by hand (primitive, DER length).
    private static string ReadGeneralString(AsnReader reader)
    {
        ReadOnlyMemory<byte> tlv = reader.ReadEncodedValue();
        if (!AsnDecoder.TryReadEncodedValue(tlv.Span, AsnEncodingRules.BER, out Asn1Tag tag, out int offset, out int length, out _)
            || !tag.HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.GeneralString)) || tag.IsConstructed)
        {
            throw new SmbProtocolException("SPNEGO negHints: hintName is not a primitive GeneralString", 0);
        }

        return System.Text.Encoding.ASCII.GetString(tlv.Span.Slice(offset, length));
    }

    private static void WriteGeneralString(AsnWriter writer, string value)
    {
        byte[] content = System.Text.Encoding.ASCII.GetBytes(value);
        var lengthWriter = new AsnWriter(AsnEncodingRules.DER);
        lengthWriter.WriteOctetString(content);
        byte[] asOctetString = lengthWriter.Encode();
        asOctetString[0] = (byte)UniversalTagNumber.GeneralString;
        writer.WriteEncodedValue(asOctetString);
    }

    private static void WriteMechTypeList(AsnWriter writer, IReadOnlyList<string> mechTypes)
    {
        using (writer.PushSequence())
        {
            foreach (string oid in mechTypes)
            {
                writer.WriteObjectIdentifier(oid);
            }
        }
    }
}

/// <summary>[RFC 4178] 4.2.2 NegTokenResp (<c>[1] SEQUENCE</c>): every token after the first.</summary>
public sealed record NegTokenResp
{
    public SpnegoNegState? NegState { get; init; }

    public string? SupportedMech { get; init; }

    public ReadOnlyMemory<byte>? ResponseToken { get; init; }

    public ReadOnlyMemory<byte>? MechListMic { get; init; }

    /// <summary>Decodes <c>A1 … 30 …</c>; malformed ASN.1 or trailing bytes throw <see cref="SmbProtocolException"/>.</summary>
    public static NegTokenResp Decode(ReadOnlySpan<byte> token)
    {
        try
        {
            var reader = new AsnReader(token.ToArray(), AsnEncodingRules.BER);
            AsnReader choice = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1));
            reader.ThrowIfNotEmpty();
            AsnReader sequence = choice.ReadSequence();
            choice.ThrowIfNotEmpty();
            var result = new NegTokenResp();
            while (sequence.HasData)
            {
                Asn1Tag tag = sequence.PeekTag();
                if (tag.TagClass != TagClass.ContextSpecific)
                {
                    throw new SmbProtocolException($"SPNEGO NegTokenResp: unexpected tag {tag}", 0);
                }

                AsnReader field = sequence.ReadSequence(tag);
                result = tag.TagValue switch
                {
                    0 => result with { NegState = ReadNegState(field) },
                    1 => result with { SupportedMech = field.ReadObjectIdentifier() },
                    2 => result with { ResponseToken = field.ReadOctetString() },
                    3 => result with { MechListMic = field.ReadOctetString() },
                    _ => result,
                };
            }

            return result;
        }
        catch (AsnContentException e)
        {
            throw new SmbProtocolException($"SPNEGO NegTokenResp: malformed ASN.1 ({e.Message})", e);
        }
    }

    private static SpnegoNegState ReadNegState(AsnReader field)
    {
        SpnegoNegState state = field.ReadEnumeratedValue<SpnegoNegState>();
        if (!Enum.IsDefined(state))
        {
            throw new SmbProtocolException($"SPNEGO NegTokenResp: negState {(int)state} is not 0-3", 0);
        }

        return state;
    }

    /// <summary>Encodes as DER.</summary>
    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            using (writer.PushSequence())
            {
                if (NegState is { } state)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                    {
                        writer.WriteEnumeratedValue(state);
                    }
                }

                if (SupportedMech is not null)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
                    {
                        writer.WriteObjectIdentifier(SupportedMech);
                    }
                }

                if (ResponseToken is { } responseToken)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 2)))
                    {
                        writer.WriteOctetString(responseToken.Span);
                    }
                }

                if (MechListMic is { } mic)
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
                    {
                        writer.WriteOctetString(mic.Span);
                    }
                }
            }
        }

        return writer.Encode();
    }
}
