using System.Globalization;

namespace SmbSign.Cli.Rendering;

/// <summary>A parsed <c>//HOST[:PORT][/SHARE]</c> (also <c>\\HOST\SHARE</c>; IPv6 as <c>[::1]</c>).</summary>
internal sealed record VerifyTarget(string Host, int Port, string Share)
{
    public const int DefaultPort = 445;
    public const string DefaultShare = "IPC$";

    public static bool TryParse(string? text, out VerifyTarget? target, out string error)
    {
        target = null;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the target is empty; expected //HOST[:PORT]/SHARE";
            return false;
        }

        string t = text.Trim().Replace('\\', '/');
        if (!t.StartsWith("//", StringComparison.Ordinal))
        {
            error = $"'{text}' is not a UNC target; expected //HOST[:PORT]/SHARE";
            return false;
        }

        t = t[2..];
        int slash = t.IndexOf('/', StringComparison.Ordinal);
        string authority = slash < 0 ? t : t[..slash];
        string share = slash < 0 ? string.Empty : t[(slash + 1)..].TrimEnd('/');
        if (share.Length == 0)
        {
            share = DefaultShare;
        }

        if (share.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{text}': give a share name only, not a path inside it";
            return false;
        }

        string host;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}': missing ']' after the IPv6 address";
                return false;
            }

            host = authority[1..close];
            string rest = authority[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}': unexpected '{rest}' after the IPv6 address";
                    return false;
                }

                portText = rest[1..];
            }
        }
        else
        {
            int colon = authority.LastIndexOf(':');
            if (colon >= 0 && authority.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = $"'{text}': write IPv6 addresses in brackets, e.g. //[::1]:445/share";
                return false;
            }

            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            error = $"'{text}': the host is empty";
            return false;
        }

        int port = DefaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{text}': port '{portText}' is not a number from 1 to 65535";
            return false;
        }

        target = new VerifyTarget(host, port, share);
        return true;
    }
}

/// <summary>A parsed <c>[DOMAIN\]USER</c> or <c>USER@DOMAIN</c>.</summary>
internal sealed record VerifyUser(string Domain, string User)
{
    public static bool TryParse(string? text, out VerifyUser? user, out string error)
    {
        user = null;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "-u/--user is empty; expected [DOMAIN\\]USER";
            return false;
        }

        string t = text.Trim();
        int backslash = t.IndexOf('\\', StringComparison.Ordinal);
        int at = t.LastIndexOf('@');
        (string domain, string name) = backslash >= 0
            ? (t[..backslash], t[(backslash + 1)..])
            : at > 0 ? (t[(at + 1)..], t[..at]) : (string.Empty, t);
        if (name.Length == 0 || name.Contains('\\', StringComparison.Ordinal))
        {
            error = $"user '{text}' is not [DOMAIN\\]USER";
            return false;
        }

        user = new VerifyUser(domain, name);
        return true;
    }
}
