namespace SmbSign.Policy.Outcome;

/// <summary>
/// Samba's <c>server signing</c> / <c>client signing</c> values (lib/param/param_table.c enum_smb_signing_vals;
/// docs/reference/policy.md §3). Aliases: disabled = no/false/0/off; if_required = auto/yes/true/1/on/enabled;
/// required = mandatory/force/forced/enforced.
/// </summary>
public enum SambaSigningMode
{
    /// <summary><c>default</c>: server = mandatory on an AD DC, otherwise auto; client = desired.</summary>
    Default,

    /// <summary><c>disabled</c>: SMB1 never signs (not even for a peer that requires it); for SMB 2/3 Samba behaves as <c>auto</c>.</summary>
    Disabled,

    /// <summary><c>auto</c> / <c>if_required</c>: signing allowed; signs when the peer wants it (server) or requires it (client).</summary>
    IfRequired,

    /// <summary><c>desired</c>: offers signing and signs when the peer allows it.</summary>
    Desired,

    /// <summary><c>mandatory</c> / <c>required</c>: refuses peers that will not sign.</summary>
    Required,
}

/// <summary>Parsing and spelling of <see cref="SambaSigningMode"/>.</summary>
public static class SambaSigningModeInfo
{
    /// <summary>Accepts every spelling Samba accepts for the signing parameters, case-insensitively.</summary>
    public static bool TryParse(string? text, out SambaSigningMode mode)
    {
        SambaSigningMode? parsed = text?.Trim().ToUpperInvariant() switch
        {
            "DEFAULT" => SambaSigningMode.Default,
            "DISABLED" or "NO" or "FALSE" or "0" or "OFF" => SambaSigningMode.Disabled,
            "AUTO" or "IF_REQUIRED" or "YES" or "TRUE" or "1" or "ON" or "ENABLED" => SambaSigningMode.IfRequired,
            "DESIRED" => SambaSigningMode.Desired,
            "MANDATORY" or "REQUIRED" or "FORCE" or "FORCED" or "ENFORCED" => SambaSigningMode.Required,
            _ => null,
        };
        mode = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>The smb.conf spelling for a server (<c>mandatory</c>, <c>auto</c>) or client (<c>required</c>, <c>if_required</c>).</summary>
    public static string ToConfString(this SambaSigningMode mode, bool server) => mode switch
    {
        SambaSigningMode.Default => "default",
        SambaSigningMode.Disabled => "disabled",
        SambaSigningMode.IfRequired => server ? "auto" : "if_required",
        SambaSigningMode.Desired => "desired",
        _ => server ? "mandatory" : "required",
    };
}
