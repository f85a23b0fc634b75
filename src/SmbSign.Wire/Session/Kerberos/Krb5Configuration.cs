using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace SmbSign.Wire.Session.Kerberos;

/// <summary>
/// Points MIT krb5 at a realm and KDC without editing /etc/krb5.conf: <see cref="WriteOverride"/> writes a small
/// krb5.conf (default realm, the realm's KDC over TCP) and <see cref="Use"/> puts it first in <c>KRB5_CONFIG</c>, followed
/// by the configuration already in effect (<c>KRB5_CONFIG</c> or /etc/krb5.conf), which MIT merges with the first file
/// winning. The library reads the variable with getenv() whenever it creates a context, so it is set in the C
/// environment (setenv), not only in .NET's copy. Process-wide: set it before the first Kerberos logon.
/// </summary>
public static partial class Krb5Configuration
{
    /// <summary>The krb5.conf text for <paramref name="realm"/> with <paramref name="kdc"/> (HOST or HOST:PORT) as its KDC.</summary>
    public static string Build(string realm, string? kdc)
    {
        ArgumentException.ThrowIfNullOrEmpty(realm);
        var sb = new StringBuilder();
        sb.Append("# written by smbsign for --realm/--kdc; merged before the existing configuration\n");
        sb.Append("[libdefaults]\n  default_realm = ").Append(realm).Append('\n');
        if (kdc is not null)
        {
            // The KDC is given: no DNS SRV lookups, and TCP (a KDC port given for TCP need not answer UDP).
            sb.Append("  dns_lookup_kdc = false\n  udp_preference_limit = 1\n");
            sb.Append("[realms]\n  ").Append(realm).Append(" = {\n    kdc = ").Append(kdc).Append("\n  }\n");
        }

        return sb.ToString();
    }

    /// <summary>Writes <see cref="Build"/> to a new file (owner-only) in the temp folder and returns its path.</summary>
    public static string WriteOverride(string realm, string? kdc)
    {
        string path = Path.Combine(Path.GetTempPath(), "smbsign-krb5-" + Guid.NewGuid().ToString("N")[..12] + ".conf");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Build(realm, kdc));
        }

        return path;
    }

    /// <summary>Makes <paramref name="path"/> the first krb5 configuration file for this process.</summary>
    public static void Use(string path)
    {
        string previous = Environment.GetEnvironmentVariable("KRB5_CONFIG") ?? "/etc/krb5.conf";
        SetEnvironment("KRB5_CONFIG", path + ":" + previous);
    }

    /// <summary>Sets a variable in .NET's environment and, on Unix, in the C library's (what native code reads).</summary>
    public static void SetEnvironment(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows())
        {
            byte[] n = Encoding.UTF8.GetBytes(name + "\0");
            byte[] v = Encoding.UTF8.GetBytes(value + "\0");
            if (SetEnv(n, v, 1) != 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"setenv({name}) failed"));
            }
        }
    }

    /// <summary>Checks a <c>--kdc</c> value: HOST or HOST:PORT (IPv6 in brackets), port 1-65535.</summary>
    public static bool IsValidKdc(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Any(c => char.IsWhiteSpace(c) || c is '{' or '}' or '=' or '#'))
        {
            return false;
        }

        int colon = text.StartsWith('[') ? text.IndexOf("]:", StringComparison.Ordinal) + 1 : text.LastIndexOf(':');
        if (colon <= 0 || (!text.StartsWith('[') && text.Count(c => c == ':') > 1))
        {
            return !text.StartsWith('[') || text.EndsWith(']');
        }

        return int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535;
    }

    [LibraryImport("libc", EntryPoint = "setenv")]
    private static partial int SetEnv(byte[] name, byte[] value, int overwrite);
}
