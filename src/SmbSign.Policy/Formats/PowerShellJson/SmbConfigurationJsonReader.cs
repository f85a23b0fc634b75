using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using SmbSign.Policy.Sources;
using SmbSign.Protocol;

namespace SmbSign.Policy.Formats.PowerShellJson;

/// <summary>Which cmdlet produced a JSON object.</summary>
public enum SmbConfigurationSide
{
    /// <summary>Could not be decided.</summary>
    Unknown,

    /// <summary><c>Get-SmbClientConfiguration</c> (MSFT_SmbClientConfiguration).</summary>
    Client,

    /// <summary><c>Get-SmbServerConfiguration</c> (MSFT_SmbServerConfiguration).</summary>
    Server,
}

/// <summary>Reads <c>Get-SmbClientConfiguration | ConvertTo-Json</c> and <c>Get-SmbServerConfiguration |
/// ConvertTo-Json</c> output: one object or an array of objects (a client and a server object may share one file),
/// PascalCase or camelCase names, with or without the CIM noise (<c>CimClass</c>, <c>CimInstanceProperties</c>,
/// <c>CimSystemProperties</c>, <c>PSComputerName</c>), UTF-8 or UTF-16LE with BOM (Windows PowerShell 5.1
/// redirection). Booleans are JSON true/false (or "True"/"False" strings); enums numbers or names.
/// <para>Client or server is decided per object: from a class name <c>MSFT_SmbClientConfiguration</c> /
/// <c>MSFT_SmbServerConfiguration</c> anywhere in the CIM properties, else from properties only one cmdlet has
/// (server: EnableSMB1Protocol, AutoDisconnectTimeout, EncryptData, …; client: EnableInsecureGuestLogons,
/// Smb2DialectMin, BlockNTLM, …), else from "client"/"server" in the file name (info PSJ005).</para>
/// <para>Every property becomes a native observation (<see cref="NativeSchemes.SmbClientConfiguration"/> /
/// <see cref="NativeSchemes.SmbServerConfiguration"/>); properties in <see cref="SettingMap"/> also carry the
/// registry value they stand for (booleans as REG_DWORD 1/0, dialects as their revision number, e.g. 785).
/// These are effective values, not configuration.</para></summary>
/// <remarks>Codes: PSJ001 invalid JSON, PSJ002 not an object or array, PSJ003 array item not an object, PSJ004
/// client/server undecidable, PSJ005 decided by file name, PSJ006 both client-only and server-only properties,
/// PSJ007 property has no value (null / None), PSJ008 value does not fit the setting.</remarks>
public sealed class SmbConfigurationJsonReader : SourceReader
{
    private static readonly FrozenSet<string> _noise = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "CimClass", "CimInstanceProperties", "CimSystemProperties", "PSComputerName", "PSShowComputerName", "RunspaceId", "PSSourceJobInstanceId");

    private static readonly FrozenSet<string> _serverOnly = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "EnableSMB1Protocol", "EnableSMB2Protocol", "AutoDisconnectTimeout", "EncryptData", "RejectUnencryptedAccess",
        "SmbServerNameHardeningLevel", "NullSessionPipes", "NullSessionShares", "EnableForcedLogoff",
        "AuditClientDoesNotSupportEncryption", "AuditClientDoesNotSupportSigning", "AnnounceServer", "AnnounceComment",
        "ServerHidden", "AsynchronousCredits", "MaxChannelPerSession", "MaxMpxCount", "MaxSessionPerConnection",
        "MaxThreadsPerQueue", "MaxWorkItems", "Smb2CreditsMax", "Smb2CreditsMin", "TreatHostAsStableStorage",
        "ValidateAliasNotCircular", "ValidateShareScope", "ValidateShareScopeNotAliased", "ValidateTargetName",
        "EnableLeasing", "EnableOplocks", "EnableStrictNameChecking", "EnableAuthenticateUserSharing",
        "EnableDownlevelTimewarp", "InvalidAuthenticationDelayTimeInMs", "IrpStackSize", "KeepAliveTime",
        "OplockBreakWait", "PendingClientTimeoutInSeconds", "DurableHandleV2TimeoutInSeconds", "CachedOpenLimit",
        "AutoShareServer", "AutoShareWorkstation", "RestrictNamedpipeAccessViaQuic", "DisableSmbEncryptionOnSecureConnection");

    private static readonly FrozenSet<string> _clientOnly = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "EnableInsecureGuestLogons", "Smb2DialectMin", "Smb2DialectMax", "BlockNTLM", "AuditServerDoesNotSupportSigning",
        "AuditServerDoesNotSupportEncryption", "DirectoryCacheEntriesMax", "DirectoryCacheEntrySizeMax",
        "DirectoryCacheLifetime", "DormantFileLimit", "EnableBandwidthThrottling",
        "EnableByteRangeLockingOnReadOnlyFiles", "EnableLargeMtu", "EnableLoadBalanceScaleOut", "ExtendedSessionTimeout",
        "FileInfoCacheEntriesMax", "FileInfoCacheLifetime", "FileNotFoundCacheEntriesMax", "FileNotFoundCacheLifetime",
        "KeepConn", "MaxCmds", "OplocksDisabled", "SessionTimeout", "UseOpportunisticLocking", "WindowSizeThreshold",
        "RequireEncryption", "SkipCertificateCheck", "ForceSMBEncryptionOverQuic", "CompressAllRequests");

    /// <inheritdoc/>
    public override SourceFormat Format => SourceFormat.PowerShellJson;

    /// <inheritdoc/>
    protected internal override void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context)
    {
        JsonTreeNode? root = JsonTree.Parse(content, context, DiagnosticCodes.Psj001);
        if (root is null)
        {
            return;
        }

        if (root.Kind == JsonValueKind.Array)
        {
            foreach (JsonTreeNode item in root.Items!)
            {
                if (item.IsObject)
                {
                    ReadObject(item, context);
                }
                else
                {
                    context.ErrorAtLine(item.Line, DiagnosticCodes.Psj003, "array item is not an object; expected the objects ConvertTo-Json writes for Get-SmbClientConfiguration / Get-SmbServerConfiguration");
                }
            }
        }
        else if (root.IsObject)
        {
            ReadObject(root, context);
        }
        else
        {
            context.ErrorAtLine(root.Line, DiagnosticCodes.Psj002, "expected a JSON object (or an array of objects) from Get-SmbClientConfiguration / Get-SmbServerConfiguration | ConvertTo-Json");
        }
    }

    /// <summary>Decides client or server for one object (see the class remarks); null reason when decided from content.</summary>
    internal static SmbConfigurationSide DecideSide(JsonTreeNode obj, string sourceName, out string? reason)
    {
        reason = null;
        foreach (string name in new[] { "CimClass", "CimSystemProperties" })
        {
            SmbConfigurationSide fromClass = FindClassName(obj.Get(name));
            if (fromClass != SmbConfigurationSide.Unknown)
            {
                return fromClass;
            }
        }

        bool client = false;
        bool server = false;
        foreach (KeyValuePair<string, JsonTreeNode> p in obj.Properties!)
        {
            client |= _clientOnly.Contains(p.Key);
            server |= _serverOnly.Contains(p.Key);
        }

        if (client != server)
        {
            return client ? SmbConfigurationSide.Client : SmbConfigurationSide.Server;
        }

        if (client && server)
        {
            reason = "both";
            return SmbConfigurationSide.Unknown;
        }

        string file = Path.GetFileName(sourceName);
        bool nameClient = file.Contains("client", StringComparison.OrdinalIgnoreCase);
        bool nameServer = file.Contains("server", StringComparison.OrdinalIgnoreCase);
        if (nameClient != nameServer)
        {
            reason = "file name";
            return nameClient ? SmbConfigurationSide.Client : SmbConfigurationSide.Server;
        }

        return SmbConfigurationSide.Unknown;
    }

    private static SmbConfigurationSide FindClassName(JsonTreeNode? node)
    {
        if (node is null)
        {
            return SmbConfigurationSide.Unknown;
        }

        if (node.Kind == JsonValueKind.String && node.Text is { } text)
        {
            if (text.Contains("MSFT_SmbClientConfiguration", StringComparison.OrdinalIgnoreCase))
            {
                return SmbConfigurationSide.Client;
            }

            return text.Contains("MSFT_SmbServerConfiguration", StringComparison.OrdinalIgnoreCase)
                ? SmbConfigurationSide.Server
                : SmbConfigurationSide.Unknown;
        }

        IEnumerable<JsonTreeNode> children = node.Properties?.Select(p => p.Value) ?? node.Items ?? Enumerable.Empty<JsonTreeNode>();
        foreach (JsonTreeNode child in children)
        {
            SmbConfigurationSide side = FindClassName(child);
            if (side != SmbConfigurationSide.Unknown)
            {
                return side;
            }
        }

        return SmbConfigurationSide.Unknown;
    }

    private static void ReadObject(JsonTreeNode obj, SourceReadContext context)
    {
        SmbConfigurationSide side = DecideSide(obj, context.Source, out string? reason);
        if (side == SmbConfigurationSide.Unknown)
        {
            context.ErrorAtLine(obj.Line, reason == "both" ? DiagnosticCodes.Psj006 : DiagnosticCodes.Psj004, reason == "both"
                ? "the object has properties of both Get-SmbClientConfiguration and Get-SmbServerConfiguration and no CimClass; expected one cmdlet's output per object"
                : "cannot tell Get-SmbClientConfiguration from Get-SmbServerConfiguration output: no CimClass and no client-only (e.g. EnableInsecureGuestLogons, Smb2DialectMin) or server-only (e.g. EnableSMB1Protocol, AutoDisconnectTimeout) property; include one, or put \"client\" or \"server\" in the file name");
            return;
        }

        if (reason == "file name")
        {
            context.InfoAtLine(obj.Line, DiagnosticCodes.Psj005, $"read as Get-Smb{side}Configuration output because of the file name (the object itself does not say)");
        }

        bool isServer = side == SmbConfigurationSide.Server;
        string scheme = isServer ? NativeSchemes.SmbServerConfiguration : NativeSchemes.SmbClientConfiguration;
        foreach (KeyValuePair<string, JsonTreeNode> property in obj.Properties!)
        {
            if (_noise.Contains(property.Key) || property.Value.Kind == JsonValueKind.Object)
            {
                continue;
            }

            ReadProperty(property.Key, property.Value, isServer, scheme, context);
        }
    }

    private static void ReadProperty(string name, JsonTreeNode node, bool isServer, string scheme, SourceReadContext context)
    {
        SettingMapping? mapping = SettingMap.FindPowerShell(isServer, name);
        string canonicalName = mapping is null ? name : (isServer ? mapping.PowerShellServerProperty! : mapping.PowerShellClientProperty!);
        NativeSetting native = new(scheme, null, canonicalName);
        NativeValue nativeValue = new(node.ToPlainText(), Normalize(node));
        SourceLocation location = context.Line(node.Line);
        if (mapping is null)
        {
            context.Add(Observation.ForNative(native, nativeValue, location));
            return;
        }

        RegistryValue? value = ToRegistryValue(mapping, canonicalName, node, context);
        context.Add(value is null
            ? Observation.ForNative(native, nativeValue, location)
            : Observation.ForValue(RegistryHive.LocalMachine, mapping.Identity, value, location, native, nativeValue));
    }

    private static RegistryValue? ToRegistryValue(SettingMapping mapping, string name, JsonTreeNode node, SourceReadContext context)
    {
        if (node.Kind == JsonValueKind.Null)
        {
            context.InfoAtLine(node.Line, DiagnosticCodes.Psj007, $"{name} is null; no value");
            return null;
        }

        if (mapping.Type == RegistryValueType.MultiString)
        {
            if (node.Kind == JsonValueKind.Array)
            {
                return RegistryValue.FromMultiString(node.Items!.Where(i => i.Kind != JsonValueKind.Null).Select(i => i.ToPlainText()));
            }

            if (node.Kind == JsonValueKind.String)
            {
                return RegistryValue.FromMultiString(node.Text!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }

            context.WarningAtLine(node.Line, DiagnosticCodes.Psj008, $"{name} is {node.ToPlainText()}; expected a list of strings");
            return null;
        }

        bool isDialect = mapping.ValueName.EndsWith("Smb2Dialect", StringComparison.OrdinalIgnoreCase);
        if (isDialect)
        {
            return DialectValue(name, node, context);
        }

        switch (node.Kind)
        {
            case JsonValueKind.True:
                return RegistryValue.FromDWord(1);
            case JsonValueKind.False:
                return RegistryValue.FromDWord(0);
            case JsonValueKind.Number when uint.TryParse(node.Text, NumberStyles.None, CultureInfo.InvariantCulture, out uint n):
                return RegistryValue.FromDWord(n);
            case JsonValueKind.String when bool.TryParse(node.Text, out bool b):
                return RegistryValue.FromDWord(b ? 1u : 0u);
            case JsonValueKind.String when uint.TryParse(node.Text, NumberStyles.None, CultureInfo.InvariantCulture, out uint s):
                return RegistryValue.FromDWord(s);
            default:
                context.WarningAtLine(node.Line, DiagnosticCodes.Psj008, $"{name} is \"{node.ToPlainText()}\"; expected true/false or a non-negative number");
                return null;
        }
    }

    /// <summary>Smb2DialectMin/Max: a revision number (514 … 785), or a name (SMB311, Smb311, 3.1.1, SMB3_11);
    /// "None"/0 means not set.</summary>
    private static RegistryValue? DialectValue(string name, JsonTreeNode node, SourceReadContext context)
    {
        string text = node.ToPlainText().Trim();
        if (text is "0" || text.Equals("None", StringComparison.OrdinalIgnoreCase))
        {
            context.InfoAtLine(node.Line, DiagnosticCodes.Psj007, $"{name} is {text} (not set); no value");
            return null;
        }

        string candidate = text.StartsWith("SMB", StringComparison.OrdinalIgnoreCase) && text.Length > 3 && char.IsAsciiDigit(text[3]) && !text.Contains('_', StringComparison.Ordinal)
            ? text[3..]
            : text;
        if (DialectInfo.TryParse(candidate, out Dialect dialect) && dialect != Dialect.Smb1 && dialect != Dialect.Smb2Wildcard)
        {
            return RegistryValue.FromDWord((ushort)dialect);
        }

        context.WarningAtLine(node.Line, DiagnosticCodes.Psj008, $"{name} is \"{text}\"; expected an SMB2/3 dialect (514, 528, 768, 770, 785 or SMB202 … SMB311)");
        return null;
    }

    private static string Normalize(JsonTreeNode node) => node.Kind switch
    {
        JsonValueKind.String when bool.TryParse(node.Text, out bool b) => b ? "true" : "false",
        _ => node.ToPlainText(),
    };
}
