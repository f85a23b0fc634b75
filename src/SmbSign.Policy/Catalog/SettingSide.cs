namespace SmbSign.Policy.Catalog;

/// <summary>Which SMB role a setting belongs to.</summary>
public enum SettingSide
{
    /// <summary>The SMB client (LanmanWorkstation, the redirector, mrxsmb10, NetworkProvider).</summary>
    Client,

    /// <summary>The SMB server (LanmanServer, Bowser).</summary>
    Server,

    /// <summary>Machine-wide settings that affect both sides (for example LmCompatibilityLevel under Control\Lsa).</summary>
    System,
}
