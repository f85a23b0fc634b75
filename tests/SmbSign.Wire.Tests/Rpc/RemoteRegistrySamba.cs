using SmbSign.Testing;

namespace SmbSign.Wire.Tests.Rpc;

/// <summary>One Samba server with samba-dcerpcd serving winreg, its registry seeded with signing settings (set,
/// wrong type, Policies override, Hardened UNC Paths) and the OS identity values a Windows machine has. Shared by a
/// test class.</summary>
public sealed class RemoteRegistrySamba : IAsyncLifetime
{
    public const string Workstation = @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    public const string Server = @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
    public const string WorkstationPolicy = @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation";
    public const string HardenedPaths = @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths";
    public const string CurrentVersion = @"SOFTWARE\Microsoft\Windows NT\CurrentVersion";
    public const string Denied = @"SOFTWARE\SmbSignDenied";

    /// <summary>A 1,641-character key path (eight 201-character levels): BaseRegOpenKey of it is a 3.3 KB request stub.</summary>
    public static readonly string LongKey = @"SOFTWARE\SmbSignLong\" + string.Join('\\', Enumerable.Range(1, 8).Select(i => new string('K', 200) + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A 255-character value name in <see cref="LongKey"/> (REG_DWORD 7): Samba's registry keeps at most 255
    /// characters of a value name (Windows allows 16,383), so the long request is the key path, not the name.</summary>
    public static readonly string LongValueName = new('V', 255);

    public SambaServer Samba { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Samba = await SambaServer.StartAsync(new SambaServerOptions { RemoteRegistry = true });
        foreach (string key in new[] { Workstation, Server, WorkstationPolicy, HardenedPaths, Denied, LongKey })
        {
            await Samba.RegistryAsync("createkey", @"HKLM\" + key);
        }

        await Samba.RegistryAsync("setvalue", @"HKLM\" + Workstation, "RequireSecuritySignature", "dword", "1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Workstation, "EnableSecuritySignature", "dword", "1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Server, "RequireSecuritySignature", "dword", "0");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Server, "EnableSecuritySignature", "sz", "1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + WorkstationPolicy, "RequireSecuritySignature", "dword", "0");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + HardenedPaths, @"\\*\SYSVOL", "sz", "RequireMutualAuthentication=1, RequireIntegrity=1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + HardenedPaths, @"\\*\NETLOGON", "sz", "RequireMutualAuthentication=1, RequireIntegrity=1");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + Denied, "Secret", "dword", "7");
        await Samba.RegistryAsync("setvalue", @"HKLM\" + LongKey, LongValueName, "dword", "7");

        // Only SYSTEM may open this key: the test user gets ERROR_ACCESS_DENIED.
        await Samba.RegistryAsync("setsd_sddl", @"HKLM\" + Denied, "O:SYG:SYD:(A;;RPWPCCDCLCRCWOWDSDSW;;;SY)");
    }

    public async Task DisposeAsync() => await Samba.DisposeAsync();
}
