using System.Formats.Asn1;
using SmbSign.Protocol.Security.Spnego;

namespace SmbSign.Protocol.Kerberos;

/// <summary>RFC 4120 §5.2.2 PrincipalName: a name type and its components.</summary>
public sealed record KerberosPrincipalName(int NameType, IReadOnlyList<string> Components)
{
    public override string ToString() => string.Join('/', Components);
}

/// <summary>RFC 4120 §5.2.9 EncryptedData: etype, optional kvno, cipher.</summary>
public sealed record KerberosEncryptedData(int EncryptionType, uint? Kvno, ReadOnlyMemory<byte> Cipher);

/// <summary>RFC 4120 §5.2.9 EncryptionKey (a session key or sub-key). <see cref="ToString"/> never shows the key.</summary>
public sealed class KerberosKey
{
    public KerberosKey(int encryptionType, byte[] value)
    {
        EncryptionType = encryptionType;
        Value = value;
    }

    public int EncryptionType { get; }

    public byte[] Value { get; }

    public override string ToString() => KerberosEncryptionTypes.GetName(EncryptionType) + " key";
}

/// <summary>RFC 4120 §5.3 Ticket.</summary>
public sealed record KerberosTicket(string Realm, KerberosPrincipalName ServerName, KerberosEncryptedData EncryptedPart)
{
    /// <summary>"cifs/dc.samdom.example.com@SAMDOM.EXAMPLE.COM".</summary>
    public string ServerPrincipal => ServerName + "@" + Realm;
}

/// <summary>RFC 4120 §5.5.1 KRB_AP_REQ, as carried in a GSS-API Kerberos token (RFC 4121 §4.1, TOK_ID 01 00).</summary>
public sealed record KerberosApReq(KerberosTicket Ticket, KerberosEncryptedData Authenticator, bool MutualRequired);

/// <summary>RFC 4120 §5.3 EncTicketPart: the fields SMB verification needs.</summary>
public sealed record KerberosEncTicketPart(KerberosKey SessionKey, string ClientRealm, KerberosPrincipalName ClientName)
{
    public string ClientPrincipal => ClientName + "@" + ClientRealm;
}

/// <summary>RFC 4120 §5.5.1 Authenticator: the fields SMB verification needs.</summary>
public sealed record KerberosAuthenticator(string ClientRealm, KerberosPrincipalName ClientName, KerberosKey? Subkey);

/// <summary>RFC 4120 §5.5.2 EncAPRepPart.</summary>
public sealed record KerberosEncApRepPart(KerberosKey? Subkey);

/// <summary>What a GSS-API Kerberos token holds (RFC 4121 §4.1 TOK_ID).</summary>
public enum KerberosTokenKind
{
    ApReq,
    ApRep,
    Error,
}

/// <summary>
/// Decoders of the Kerberos messages in an SMB SESSION_SETUP security buffer (RFC 4120 §5, DER as the RFC requires;
/// read with BER rules so that a non-minimal length from an odd peer is not fatal). Malformed ASN.1, wrong tags and
/// trailing bytes throw <see cref="SmbProtocolException"/>; nothing here decrypts (see <see cref="KerberosCrypto"/>).
/// </summary>
public static class KerberosMessages
{
    private static readonly Asn1Tag s_gssWrapper = new(TagClass.Application, 0, isConstructed: true);
    private static readonly Asn1Tag s_apReq = new(TagClass.Application, 14, isConstructed: true);
    private static readonly Asn1Tag s_apRep = new(TagClass.Application, 15, isConstructed: true);
    private static readonly Asn1Tag s_krbError = new(TagClass.Application, 30, isConstructed: true);
    private static readonly Asn1Tag s_ticket = new(TagClass.Application, 1, isConstructed: true);
    private static readonly Asn1Tag s_authenticator = new(TagClass.Application, 2, isConstructed: true);
    private static readonly Asn1Tag s_encTicketPart = new(TagClass.Application, 3, isConstructed: true);
    private static readonly Asn1Tag s_encApRepPart = new(TagClass.Application, 27, isConstructed: true);
    private static readonly Asn1Tag s_generalString = new(UniversalTagNumber.GeneralString);

    /// <summary>True when <paramref name="token"/> is a GSS-API token of the Kerberos mechanism (either OID).</summary>
    public static bool IsKerberosToken(ReadOnlySpan<byte> token)
    {
        if (token.IsEmpty || token[0] != 0x60)
        {
            return false;
        }

        try
        {
            return TryUnwrap(token, out _, out _);
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (SmbProtocolException)
        {
            return false;
        }
    }

    /// <summary>Splits a GSS-API Kerberos token (RFC 4121 §4.1: [APPLICATION 0] { mech OID, 2-byte TOK_ID, message })
    /// into its kind and the inner Kerberos message.</summary>
    public static KerberosTokenKind Unwrap(ReadOnlySpan<byte> token, out ReadOnlyMemory<byte> message)
    {
        try
        {
            if (!TryUnwrap(token, out KerberosTokenKind kind, out message))
            {
                throw new SmbProtocolException("GSS-API token: not a Kerberos token (mechanism 1.2.840.113554.1.2.2 or 1.2.840.48018.1.2.2)", 0);
            }

            return kind;
        }
        catch (AsnContentException e)
        {
            throw new SmbProtocolException($"GSS-API Kerberos token: malformed ASN.1 ({e.Message})", e);
        }
    }

    private static bool TryUnwrap(ReadOnlySpan<byte> token, out KerberosTokenKind kind, out ReadOnlyMemory<byte> message)
    {
        kind = default;
        message = default;
        if (!AsnDecoder.TryReadEncodedValue(token, AsnEncodingRules.BER, out Asn1Tag tag, out int contentOffset, out int contentLength, out int consumed)
            || tag != s_gssWrapper)
        {
            return false;
        }

        if (consumed != token.Length)
        {
            throw new SmbProtocolException($"GSS-API Kerberos token: {token.Length - consumed} trailing byte(s)", consumed);
        }

        ReadOnlySpan<byte> body = token.Slice(contentOffset, contentLength);
        string mech = AsnDecoder.ReadObjectIdentifier(body, AsnEncodingRules.BER, out int oidLength);
        if (mech is not (SpnegoMechanisms.Kerberos or SpnegoMechanisms.MsKerberos))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = body[oidLength..];
        if (rest.Length < 2)
        {
            throw new SmbProtocolException("GSS-API Kerberos token: the 2-byte TOK_ID is missing", contentOffset + oidLength);
        }

        kind = (rest[0], rest[1]) switch
        {
            (0x01, 0x00) => KerberosTokenKind.ApReq,
            (0x02, 0x00) => KerberosTokenKind.ApRep,
            (0x03, 0x00) => KerberosTokenKind.Error,
            _ => throw new SmbProtocolException($"GSS-API Kerberos token: unknown TOK_ID {rest[0]:X2} {rest[1]:X2} (expected 01 00 AP-REQ, 02 00 AP-REP or 03 00 KRB-ERROR)", contentOffset + oidLength),
        };
        message = rest[2..].ToArray();
        return true;
    }

    /// <summary>Decodes a GSS-wrapped or bare KRB_AP_REQ.</summary>
    public static KerberosApReq DecodeApReq(ReadOnlySpan<byte> token) => Guard("AP-REQ", token, static bytes =>
    {
        if (bytes.Length > 0 && bytes.Span[0] == 0x60)
        {
            if (Unwrap(bytes.Span, out ReadOnlyMemory<byte> inner) != KerberosTokenKind.ApReq)
            {
                throw new SmbProtocolException("GSS-API Kerberos token: not an AP-REQ", 0);
            }

            bytes = inner;
        }

        var outer = new AsnReader(bytes, AsnEncodingRules.BER);
        AsnReader sequence = outer.ReadSequence(s_apReq).ReadSequence();
        outer.ThrowIfNotEmpty();
        ExpectInteger(sequence, 0, 5, "pvno");
        ExpectInteger(sequence, 1, 14, "msg-type");
        AsnReader optionsField = sequence.ReadSequence(Context(2));
        byte[] options = optionsField.ReadBitString(out _);
        optionsField.ThrowIfNotEmpty();
        KerberosTicket ticket = ReadTicket(sequence.ReadSequence(Context(3)));
        KerberosEncryptedData authenticator = ReadEncryptedData(Explicit(sequence, 4));
        sequence.ThrowIfNotEmpty();

        // RFC 4120 §5.5.1 APOptions: bit 2 (counting from the most significant bit of the first byte) is mutual-required.
        bool mutual = options.Length > 0 && (options[0] & 0x20) != 0;
        return new KerberosApReq(ticket, authenticator, mutual);
    });

    /// <summary>Decodes a GSS-wrapped or bare KRB_AP_REP; returns its encrypted part.</summary>
    public static KerberosEncryptedData DecodeApRep(ReadOnlySpan<byte> token) => Guard("AP-REP", token, static bytes =>
    {
        if (bytes.Length > 0 && bytes.Span[0] == 0x60)
        {
            if (Unwrap(bytes.Span, out ReadOnlyMemory<byte> inner) != KerberosTokenKind.ApRep)
            {
                throw new SmbProtocolException("GSS-API Kerberos token: not an AP-REP", 0);
            }

            bytes = inner;
        }

        var outer = new AsnReader(bytes, AsnEncodingRules.BER);
        AsnReader sequence = outer.ReadSequence(s_apRep).ReadSequence();
        outer.ThrowIfNotEmpty();
        ExpectInteger(sequence, 0, 5, "pvno");
        ExpectInteger(sequence, 1, 15, "msg-type");
        KerberosEncryptedData encPart = ReadEncryptedData(Explicit(sequence, 2));
        sequence.ThrowIfNotEmpty();
        return encPart;
    });

    /// <summary>Decodes the decrypted EncTicketPart ([APPLICATION 3]).</summary>
    public static KerberosEncTicketPart DecodeEncTicketPart(ReadOnlySpan<byte> plaintext) => Guard("EncTicketPart", plaintext, static bytes =>
    {
        var outer = new AsnReader(bytes, AsnEncodingRules.BER);
        AsnReader sequence = outer.ReadSequence(s_encTicketPart).ReadSequence();
        SkipField(sequence, 0); // flags
        KerberosKey key = ReadKey(Explicit(sequence, 1));
        string realm = ReadString(Explicit(sequence, 2));
        KerberosPrincipalName client = ReadPrincipal(Explicit(sequence, 3));
        // transited, authtime, starttime, endtime, renew-till, caddr, authorization-data: not needed here.
        return new KerberosEncTicketPart(key, realm, client);
    });

    /// <summary>Decodes the decrypted Authenticator ([APPLICATION 2]).</summary>
    public static KerberosAuthenticator DecodeAuthenticator(ReadOnlySpan<byte> plaintext) => Guard("Authenticator", plaintext, static bytes =>
    {
        var outer = new AsnReader(bytes, AsnEncodingRules.BER);
        AsnReader sequence = outer.ReadSequence(s_authenticator).ReadSequence();
        ExpectInteger(sequence, 0, 5, "authenticator-vno");
        string realm = ReadString(Explicit(sequence, 1));
        KerberosPrincipalName client = ReadPrincipal(Explicit(sequence, 2));
        KerberosKey? subkey = null;
        while (sequence.HasData)
        {
            Asn1Tag tag = sequence.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                throw new SmbProtocolException($"Authenticator: unexpected tag {tag}", 0);
            }

            AsnReader field = sequence.ReadSequence(Context(tag.TagValue));
            if (tag.TagValue == 6)
            {
                subkey = ReadKey(field);
            }
        }

        return new KerberosAuthenticator(realm, client, subkey);
    });

    /// <summary>Decodes the decrypted EncAPRepPart ([APPLICATION 27]).</summary>
    public static KerberosEncApRepPart DecodeEncApRepPart(ReadOnlySpan<byte> plaintext) => Guard("EncAPRepPart", plaintext, static bytes =>
    {
        var outer = new AsnReader(bytes, AsnEncodingRules.BER);
        AsnReader sequence = outer.ReadSequence(s_encApRepPart).ReadSequence();
        KerberosKey? subkey = null;
        while (sequence.HasData)
        {
            Asn1Tag tag = sequence.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                throw new SmbProtocolException($"EncAPRepPart: unexpected tag {tag}", 0);
            }

            AsnReader field = sequence.ReadSequence(Context(tag.TagValue));
            if (tag.TagValue == 2)
            {
                subkey = ReadKey(field);
            }
        }

        return new KerberosEncApRepPart(subkey);
    });

    private static T Guard<T>(string what, ReadOnlySpan<byte> bytes, Func<ReadOnlyMemory<byte>, T> decode)
    {
        try
        {
            return decode(bytes.ToArray());
        }
        catch (AsnContentException e)
        {
            throw new SmbProtocolException($"Kerberos {what}: malformed ASN.1 ({e.Message})", e);
        }
    }

    private static KerberosTicket ReadTicket(AsnReader field)
    {
        AsnReader sequence = field.ReadSequence(s_ticket).ReadSequence();
        field.ThrowIfNotEmpty();
        ExpectInteger(sequence, 0, 5, "tkt-vno");
        string realm = ReadString(Explicit(sequence, 1));
        KerberosPrincipalName server = ReadPrincipal(Explicit(sequence, 2));
        KerberosEncryptedData encPart = ReadEncryptedData(Explicit(sequence, 3));
        return new KerberosTicket(realm, server, encPart);
    }

    private static KerberosEncryptedData ReadEncryptedData(AsnReader field)
    {
        AsnReader sequence = field.ReadSequence();
        field.ThrowIfNotEmpty();
        int etype = ReadInt32(Explicit(sequence, 0), "etype");
        uint? kvno = null;
        if (sequence.HasData && sequence.PeekTag() == Context(1))
        {
            AsnReader kvnoField = sequence.ReadSequence(Context(1));
            if (!kvnoField.TryReadUInt32(out uint value))
            {
                throw new SmbProtocolException("EncryptedData: kvno is not a 32-bit unsigned integer", 0);
            }

            kvno = value;
        }

        AsnReader cipherField = Explicit(sequence, 2);
        byte[] cipher = cipherField.ReadOctetString();
        cipherField.ThrowIfNotEmpty();
        sequence.ThrowIfNotEmpty();
        return new KerberosEncryptedData(etype, kvno, cipher);
    }

    private static KerberosKey ReadKey(AsnReader field)
    {
        AsnReader sequence = field.ReadSequence();
        field.ThrowIfNotEmpty();
        int keyType = ReadInt32(Explicit(sequence, 0), "keytype");
        AsnReader valueField = Explicit(sequence, 1);
        byte[] value = valueField.ReadOctetString();
        valueField.ThrowIfNotEmpty();
        sequence.ThrowIfNotEmpty();
        if (KerberosEncryptionTypes.IsSupported(keyType) && value.Length != KerberosEncryptionTypes.KeyLength(keyType))
        {
            throw new SmbProtocolException($"EncryptionKey: a {KerberosEncryptionTypes.GetName(keyType)} key is {KerberosEncryptionTypes.KeyLength(keyType)} bytes, found {value.Length}", 0);
        }

        return new KerberosKey(keyType, value);
    }

    private static KerberosPrincipalName ReadPrincipal(AsnReader field)
    {
        AsnReader sequence = field.ReadSequence();
        field.ThrowIfNotEmpty();
        int nameType = ReadInt32(Explicit(sequence, 0), "name-type");
        AsnReader namesField = Explicit(sequence, 1);
        AsnReader names = namesField.ReadSequence();
        namesField.ThrowIfNotEmpty();
        var components = new List<string>();
        while (names.HasData)
        {
            components.Add(ReadGeneralString(names));
        }

        sequence.ThrowIfNotEmpty();
        return new KerberosPrincipalName(nameType, components);
    }

    private static string ReadString(AsnReader field)
    {
        string value = ReadGeneralString(field);
        field.ThrowIfNotEmpty();
        return value;
    }

    /// <summary>System.Formats.Asn1 has no GeneralString reader (and refuses the universal tag 27 for octet strings),
    /// so the encoded value is taken whole and its primitive contents decoded here.</summary>
    private static string ReadGeneralString(AsnReader reader)
    {
        ReadOnlyMemory<byte> encoded = reader.ReadEncodedValue();
        if (!AsnDecoder.TryReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out Asn1Tag tag, out int offset, out int length, out _)
            || tag != s_generalString)
        {
            throw new SmbProtocolException($"Kerberos: expected a GeneralString (KerberosString), found {tag}", 0);
        }

        return DecodeString(encoded.Span.Slice(offset, length).ToArray());
    }

    /// <summary>KerberosString is a GeneralString restricted to IA5 (RFC 4120 §5.2.1); Windows puts UTF-8 in it.
    /// Invalid bytes are replaced, never fatal: names are only displayed and compared.</summary>
    private static string DecodeString(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    private static void ExpectInteger(AsnReader sequence, int tag, int expected, string name)
    {
        int value = ReadInt32(Explicit(sequence, tag), name);
        if (value != expected)
        {
            throw new SmbProtocolException($"Kerberos: {name} is {value}, expected {expected}", 0);
        }
    }

    private static int ReadInt32(AsnReader field, string name)
    {
        if (!field.TryReadInt32(out int value))
        {
            throw new SmbProtocolException($"Kerberos: {name} is not a 32-bit integer", 0);
        }

        field.ThrowIfNotEmpty();
        return value;
    }

    /// <summary>Reads the next field, which must be [tag] EXPLICIT.</summary>
    private static AsnReader Explicit(AsnReader sequence, int tag)
    {
        if (!sequence.HasData)
        {
            throw new SmbProtocolException($"Kerberos: field [{tag}] is missing", 0);
        }

        Asn1Tag next = sequence.PeekTag();
        if (next != Context(tag))
        {
            throw new SmbProtocolException($"Kerberos: expected field [{tag}], found {next}", 0);
        }

        return sequence.ReadSequence(Context(tag));
    }

    private static void SkipField(AsnReader sequence, int tag) => Explicit(sequence, tag).ReadEncodedValue();

    private static Asn1Tag Context(int tag) => new(TagClass.ContextSpecific, tag, isConstructed: true);
}
