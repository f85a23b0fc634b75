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

    public SambaServer Samba { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Samba = await SambaServer.StartAsync(new SambaServerOptions { RemoteRegistry = true });
        foreach (string key in new[] { Workstation, Server, WorkstationPolicy, HardenedPaths, Denied })
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

        // Only SYSTEM may open this key: the test user gets ERROR_ACCESS_DENIED.
        await Samba.RegistryAsync("setsd_sddl", @"HKLM\" + Denied, "O:SYG:SYD:(A;;RPWPCCDCLCRCWOWDSDSW;;;SY)");
    }

    public async Task DisposeAsync() => await Samba.DisposeAsync();
}
