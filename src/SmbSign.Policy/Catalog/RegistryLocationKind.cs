namespace SmbSign.Policy.Catalog;

/// <summary>What a registry location of a setting is.</summary>
public enum RegistryLocationKind
{
    /// <summary>The service's own key (<c>HKLM\SYSTEM\CurrentControlSet\Services\...</c> or <c>Control\Lsa</c>): what the OS reads; where Security Options (GptTmpl.inf) write.</summary>
    Service,

    /// <summary>The Group Policy key under <c>HKLM\SOFTWARE\Policies\Microsoft\Windows\...</c> that Administrative Templates (Registry.pol) write; it wins over the service key.</summary>
    Policy,

    /// <summary>Where Intune (MDM) records the value it set: <c>HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Area\Policy</c>.</summary>
    PolicyManager,

    /// <summary>A location that published rule lists wrongly use for this setting (for example EnableMailslots under LanmanServer instead of Bowser); Windows does not read it.</summary>
    KnownMisplacement,
}
