namespace SmbSign.Protocol.Security.Spnego;

/// <summary>GSS mechanism OIDs seen in SMB security buffers ([MS-SPNG], RFC 4178, RFC 4121, [MS-NEGOEX]).</summary>
public static class SpnegoMechanisms
{
    public const string Spnego = "1.3.6.1.5.5.2";
    public const string Ntlmssp = "1.3.6.1.4.1.311.2.2.10";
    public const string Kerberos = "1.2.840.113554.1.2.2";
    public const string MsKerberos = "1.2.840.48018.1.2.2";
    public const string KerberosUserToUser = "1.2.840.113554.1.2.2.3";
    public const string Negoex = "1.3.6.1.4.1.311.2.2.30";

    /// <summary>"NTLMSSP", "Kerberos", "MS-KRB5", "KRB5-U2U", "NEGOEX"; any other OID in dotted form.</summary>
    public static string GetName(string oid) => oid switch
    {
        Ntlmssp => "NTLMSSP",
        Kerberos => "Kerberos",
        MsKerberos => "MS-KRB5",
        KerberosUserToUser => "KRB5-U2U",
        Negoex => "NEGOEX",
        _ => oid,
    };
}
