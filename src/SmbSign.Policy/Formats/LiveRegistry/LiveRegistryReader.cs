using System.Runtime.Versioning;
using Microsoft.Win32;
using SmbSign.Policy.Sources;
using RegistryHive = SmbSign.Policy.Sources.RegistryHive;
using SmbSign.Protocol.Errors;

namespace SmbSign.Policy.Formats.LiveRegistry;

/// <summary>Reads the SMB-related keys of the local machine's registry (HKLM, 64-bit view) through
/// Microsoft.Win32.Registry: both the local Parameters keys and the Group Policy keys under SOFTWARE\Policies, every
/// value of each key (plus the few single values listed in <see cref="SingleValues"/>). Windows only; elsewhere
/// <see cref="Read"/> returns error LIV001 without touching anything. Provenance: <c>HKLM\key</c> as the file, format
/// <see cref="SourceFormat.LiveRegistry"/>.</summary>
/// <remarks>Codes: LIV001 not on Windows, LIV002 key not readable (access denied), LIV003 value not readable.</remarks>
public static class LiveRegistryReader
{
    /// <summary>Keys read in full (hive-less HKLM paths).</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        @"SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters",
        @"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters",
        @"SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation",
        @"SOFTWARE\Policies\Microsoft\Windows\LanmanServer",
        @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider",
        @"SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths",
        @"SOFTWARE\Policies\Microsoft\Windows\Bowser",
    ];

    /// <summary>Single values read from keys that hold much else (LM level, SMBv1 client driver, Server service start).</summary>
    public static IReadOnlyList<RegistryIdentity> SingleValues { get; } =
    [
        new(@"SYSTEM\CurrentControlSet\Control\Lsa", "LmCompatibilityLevel"),
        new(@"SYSTEM\CurrentControlSet\Services\mrxsmb10", "Start"),
        new(@"SYSTEM\CurrentControlSet\Services\LanmanServer", "Start"),
        new(@"SYSTEM\CurrentControlSet\Services\LanmanWorkstation", "Start"),
    ];

    /// <summary>Reads the keys; on other platforms returns one LIV001 error.</summary>
    public static SourceReadResult Read()
    {
        if (!OperatingSystem.IsWindows())
        {
            return SourceReadResult.Failed("HKLM", SourceFormat.LiveRegistry, DiagnosticCodes.Liv001, "the live registry can only be read on Windows; export it (reg export, secedit /export, Get-SmbServerConfiguration | ConvertTo-Json) and audit the files instead");
        }

        return ReadWindows();
    }

    [SupportedOSPlatform("windows")]
    private static SourceReadResult ReadWindows()
    {
        List<Observation> observations = [];
        List<SourceDiagnostic> diagnostics = [];
        using RegistryKey hklm = RegistryKey.OpenBaseKey(Microsoft.Win32.RegistryHive.LocalMachine, RegistryView.Registry64);
        foreach (string keyPath in Keys)
        {
            using RegistryKey? key = Open(hklm, keyPath, diagnostics);
            if (key is null)
            {
                continue;
            }

            foreach (string name in key.GetValueNames())
            {
                AddValue(key, keyPath, name, observations, diagnostics);
            }
        }

        foreach (RegistryIdentity single in SingleValues)
        {
            using RegistryKey? key = Open(hklm, single.KeyPath, diagnostics);
            if (key is not null && key.GetValueNames().Contains(single.ValueName, StringComparer.OrdinalIgnoreCase))
            {
                AddValue(key, single.KeyPath, single.ValueName, observations, diagnostics);
            }
        }

        return new SourceReadResult("HKLM", SourceFormat.LiveRegistry, observations.ToArray(), diagnostics.ToArray());
    }

    [SupportedOSPlatform("windows")]
    private static RegistryKey? Open(RegistryKey hklm, string keyPath, List<SourceDiagnostic> diagnostics)
    {
        try
        {
            return hklm.OpenSubKey(keyPath, writable: false);
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            diagnostics.Add(new SourceDiagnostic(DiagnosticSeverity.Error, DiagnosticCodes.Liv002, "cannot open the key: access is denied", Location(keyPath)));
            return null;
        }
    }

    [SupportedOSPlatform("windows")]
    private static void AddValue(RegistryKey key, string keyPath, string name, List<Observation> observations, List<SourceDiagnostic> diagnostics)
    {
        try
        {
            RegistryValueKind kind = key.GetValueKind(name);
            object? data = key.GetValue(name, null, RegistryValueOptions.DoNotExpandEnvironmentNames);
            RegistryValue? value = (kind, data) switch
            {
                (RegistryValueKind.DWord, int i) => RegistryValue.FromDWord(unchecked((uint)i)),
                (RegistryValueKind.QWord, long l) => RegistryValue.FromQWord(unchecked((ulong)l)),
                (RegistryValueKind.String, string s) => RegistryValue.FromString(s),
                (RegistryValueKind.ExpandString, string s) => RegistryValue.FromString(s, expand: true),
                (RegistryValueKind.MultiString, string[] list) => RegistryValue.FromMultiString(list),
                (RegistryValueKind.Binary, byte[] bytes) => RegistryValue.FromBytes(bytes),
                (RegistryValueKind.None, byte[] bytes) => RegistryValue.FromBytes(bytes, RegistryValueType.None),
                (_, byte[] bytes) => RegistryValue.FromBytes(bytes, (RegistryValueType)(uint)kind),
                _ => null,
            };
            if (value is null)
            {
                diagnostics.Add(new SourceDiagnostic(DiagnosticSeverity.Warning, DiagnosticCodes.Liv003, $"value \"{name}\" has a type this reader does not decode ({kind}); skipped", Location(keyPath)));
                return;
            }

            observations.Add(Observation.ForValue(RegistryHive.LocalMachine, new RegistryIdentity(keyPath, name), value, Location(keyPath)));
        }
        catch (Exception e) when (IoErrors.IsFileProblem(e))
        {
            diagnostics.Add(new SourceDiagnostic(DiagnosticSeverity.Warning, DiagnosticCodes.Liv003, $"value \"{name}\" cannot be read: access is denied", Location(keyPath)));
        }
    }

    private static SourceLocation Location(string keyPath) => SourceLocation.OfFile(@"HKLM\" + keyPath, SourceFormat.LiveRegistry);
}
