namespace SmbSign.Policy.Catalog;

/// <summary>Which SMB dialect families a setting has an effect on.</summary>
public enum DialectScope
{
    /// <summary>SMB1 and SMB 2/3.</summary>
    All,

    /// <summary>SMB1 (NT LM 0.12) only, such as the two "if client/server agrees" signing settings.</summary>
    Smb1Only,

    /// <summary>SMB 2.0.2 and later only.</summary>
    Smb2Plus,

    /// <summary>SMB 3.x only (encryption).</summary>
    Smb3Only,

    /// <summary>Not a per-dialect protocol setting (authentication level, idle time, audit switches).</summary>
    NotApplicable,
}
