using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Formats.Intune;

/// <summary>Reads Intune / Microsoft Graph JSON exports:
/// <list type="bullet">
/// <item>custom profiles (<c>#microsoft.graph.windows10CustomConfiguration</c>) — each <c>omaSettings[]</c> item
/// (<c>omaSettingInteger</c>, <c>omaSettingString</c>, …) is keyed by its OMA-URI; integer values, and ADMX-backed
/// strings (<c>&lt;enabled/&gt;</c>, <c>&lt;disabled/&gt;</c>, <c>&lt;data id=… value=…/&gt;</c>, Hardened UNC lists
/// separated by U+F000) map to registry values;</item>
/// <item>Settings Catalog policies (<c>deviceManagementConfigurationPolicy</c>, <c>settings[].settingInstance</c>)
/// — choice instances (with children), simple integer/string instances, group collections (Hardened UNC Paths:
/// <c>…_pol_hardenedpaths</c> items with <c>_key</c>/<c>_value</c> children); a bare <c>{"settingInstance": …}</c>
/// is accepted too;</item>
/// <item>the legacy Endpoint Protection template (<c>windows10EndpointProtectionConfiguration</c>) client signing
/// booleans;</item>
/// <item>any of these as a single object, an exported array, or a Graph list <c>{"value": [...]}</c>.</item>
/// </list>
/// Every setting becomes a native observation (Settings Catalog id, OMA-URI or Graph property); those in
/// <see cref="SettingMap"/> also carry their registry value (choice option suffix = the DWORD, e.g. <c>…_1</c> → 1,
/// <c>…_785</c> → 785).</summary>
/// <remarks>Codes: INT001 invalid JSON, INT002 setting definitions only (info), INT003 not an Intune/Graph policy,
/// INT004 unknown setting instance type, INT005 choice value does not belong to its setting, INT006 Hardened UNC
/// item without _key/_value, INT007 encrypted OMA value, INT008 OMA value does not fit the setting.</remarks>
public sealed partial class IntunePolicyReader : SourceReader
{
    private const string HardenedPathsKeySuffix = "_key";
    private const string HardenedPathsValueSuffix = "_value";
    private const char AdmxListSeparator = '\uF000';

    /// <inheritdoc/>
    public override SourceFormat Format => SourceFormat.IntuneJson;

    /// <inheritdoc/>
    protected internal override void ParseCore(ReadOnlySpan<byte> content, SourceReadContext context)
    {
        JsonTreeNode? root = JsonTree.Parse(content, context, DiagnosticCodes.Int001);
        if (root is null)
        {
            return;
        }

        int before = context.ErrorCount;
        if (!ReadAny(root, context, depth: 0) && context.ErrorCount == before)
        {
            context.ErrorAtLine(root.Line, DiagnosticCodes.Int003, "not an Intune policy; expected a Settings Catalog policy (settings[].settingInstance), a custom profile (omaSettings[]), a settingInstance, or a list of them (array or {\"value\": [...]})");
        }
    }

    private static bool ReadAny(JsonTreeNode node, SourceReadContext context, int depth)
    {
        if (depth > 3)
        {
            return false;
        }

        if (node.Kind == JsonValueKind.Array)
        {
            bool any = false;
            foreach (JsonTreeNode item in node.Items!)
            {
                any |= ReadAny(item, context, depth + 1);
            }

            return any;
        }

        if (!node.IsObject)
        {
            return false;
        }

        string odataType = node.GetString("@odata.type") ?? string.Empty;
        if (node.Get("settings") is { Kind: JsonValueKind.Array } settings)
        {
            foreach (JsonTreeNode setting in settings.Items!)
            {
                if (setting.Get("settingInstance") is { IsObject: true } instance)
                {
                    ReadInstance(instance, context);
                }
            }

            return true;
        }

        if (node.Get("settingInstance") is { IsObject: true } single)
        {
            ReadInstance(single, context);
            return true;
        }

        if (node.Get("settingDefinitionId") is not null && node.Get("@odata.type") is not null && odataType.Contains("SettingInstance", StringComparison.OrdinalIgnoreCase))
        {
            ReadInstance(node, context);
            return true;
        }

        if (node.Get("omaSettings") is { Kind: JsonValueKind.Array } oma)
        {
            foreach (JsonTreeNode setting in oma.Items!)
            {
                ReadOmaSetting(setting, context);
            }

            return true;
        }

        if (odataType.Contains("EndpointProtectionConfiguration", StringComparison.OrdinalIgnoreCase))
        {
            ReadEndpointProtection(node, context);
            return true;
        }

        if (node.Get("definitions") is not null || odataType.Contains("SettingDefinition", StringComparison.OrdinalIgnoreCase))
        {
            context.InfoAtLine(node.Line, DiagnosticCodes.Int002, "setting definitions describe settings but set none; no values read");
            return true;
        }

        return node.Get("value") is { Kind: JsonValueKind.Array } list && ReadAny(list, context, depth + 1);
    }

    private static void ReadInstance(JsonTreeNode instance, SourceReadContext context)
    {
        string id = instance.GetString("settingDefinitionId") ?? string.Empty;
        string type = instance.GetString("@odata.type") ?? string.Empty;
        if (instance.Get("choiceSettingValue") is { IsObject: true } choice)
        {
            ReadChoice(id, choice, context);
        }
        else if (instance.Get("simpleSettingValue") is { IsObject: true } simple)
        {
            ReadSimple(id, simple, context);
        }
        else if (instance.Get("groupSettingCollectionValue") is { Kind: JsonValueKind.Array } groups)
        {
            ReadGroupCollection(id, groups, context);
        }
        else if (instance.Get("groupSettingValue") is { IsObject: true } group)
        {
            ReadChildren(group, context);
        }
        else if (instance.Get("choiceSettingCollectionValue") is { Kind: JsonValueKind.Array } choices)
        {
            AddNative(id, string.Join(", ", choices.Items!.Select(c => c.GetString("value"))), instance.Line, context);
            foreach (JsonTreeNode c in choices.Items!)
            {
                ReadChildren(c, context);
            }
        }
        else if (instance.Get("simpleSettingCollectionValue") is { Kind: JsonValueKind.Array } simples)
        {
            AddNative(id, string.Join(", ", simples.Items!.Select(s => s.Get("value")?.ToPlainText())), instance.Line, context);
        }
        else
        {
            context.WarningAtLine(instance.Line, DiagnosticCodes.Int004, $"setting instance {id} of type \"{type}\" has no value this reader knows; expected choiceSettingValue, simpleSettingValue or groupSettingCollectionValue");
        }
    }

    private static void ReadChoice(string id, JsonTreeNode choice, SourceReadContext context)
    {
        string value = choice.GetString("value") ?? string.Empty;
        string option = value;
        if (value.Length > id.Length + 1 && value[id.Length] == '_' && value.AsSpan(0, id.Length).Equals(id, StringComparison.OrdinalIgnoreCase))
        {
            option = value[(id.Length + 1)..];
        }
        else
        {
            context.WarningAtLine(choice.Line, DiagnosticCodes.Int005, $"choice value \"{value}\" does not start with its setting id \"{id}_\"; kept as written");
        }

        NativeSetting native = new(NativeSchemes.IntuneSettingsCatalog, null, id);
        NativeValue nativeValue = new(value, option);
        SettingMapping? mapping = SettingMap.FindCatalogId(id);
        SourceLocation location = context.Line(choice.Line);
        if (mapping is { Kind: SettingMappingKind.Value } && uint.TryParse(option, NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
        {
            context.Add(Observation.ForValue(RegistryHive.LocalMachine, mapping.Identity, RegistryValue.FromDWord(n), location, native, nativeValue));
        }
        else if (mapping is { Kind: SettingMappingKind.HardenedPaths } && option == "0")
        {
            // Hardened UNC Paths disabled: the ADMX list policy removes the list's values.
            context.Add(Observation.ForMarker(ObservationKind.AllValuesDeleted, RegistryHive.LocalMachine, mapping.Identity, location, native));
        }
        else
        {
            context.Add(Observation.ForNative(native, nativeValue, location));
        }

        ReadChildren(choice, context);
    }

    private static void ReadChildren(JsonTreeNode holder, SourceReadContext context)
    {
        if (holder.Get("children") is { Kind: JsonValueKind.Array } children)
        {
            foreach (JsonTreeNode child in children.Items!)
            {
                if (child.IsObject)
                {
                    ReadInstance(child, context);
                }
            }
        }
    }

    private static void ReadSimple(string id, JsonTreeNode simple, SourceReadContext context)
    {
        JsonTreeNode? valueNode = simple.Get("value");
        string text = valueNode?.ToPlainText() ?? string.Empty;
        NativeSetting native = new(NativeSchemes.IntuneSettingsCatalog, null, id);
        NativeValue nativeValue = new(text, text);
        SettingMapping? mapping = SettingMap.FindCatalogId(id);
        SourceLocation location = context.Line(simple.Line);
        if (mapping is { Kind: SettingMappingKind.Value, Type: RegistryValueType.DWord } && valueNode?.Kind == JsonValueKind.Number
            && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
        {
            context.Add(Observation.ForValue(RegistryHive.LocalMachine, mapping.Identity, RegistryValue.FromDWord(n), location, native, nativeValue));
        }
        else if (mapping is { Kind: SettingMappingKind.Value, Type: RegistryValueType.String } && valueNode?.Kind == JsonValueKind.String)
        {
            context.Add(Observation.ForValue(RegistryHive.LocalMachine, mapping.Identity, RegistryValue.FromString(text), location, native, nativeValue));
        }
        else
        {
            context.Add(Observation.ForNative(native, nativeValue, location));
        }
    }

    private static void ReadGroupCollection(string id, JsonTreeNode groups, SourceReadContext context)
    {
        SettingMapping? mapping = SettingMap.FindCatalogId(id);
        if (mapping is not { Kind: SettingMappingKind.HardenedPaths })
        {
            foreach (JsonTreeNode group in groups.Items!)
            {
                ReadChildren(group, context);
            }

            return;
        }

        foreach (JsonTreeNode group in groups.Items!)
        {
            JsonTreeNode? keyNode = null;
            JsonTreeNode? valueNode = null;
            foreach (JsonTreeNode child in group.Get("children")?.Items ?? [])
            {
                string childId = child.GetString("settingDefinitionId") ?? string.Empty;
                JsonTreeNode? simple = child.Get("simpleSettingValue")?.Get("value");
                if (childId.EndsWith(HardenedPathsKeySuffix, StringComparison.OrdinalIgnoreCase))
                {
                    keyNode = simple;
                }
                else if (childId.EndsWith(HardenedPathsValueSuffix, StringComparison.OrdinalIgnoreCase))
                {
                    valueNode = simple;
                }
            }

            if (keyNode?.Text is not { Length: > 0 } path || valueNode?.Text is not { } flags)
            {
                context.WarningAtLine(group.Line, DiagnosticCodes.Int006, $"a Hardened UNC Paths item lacks its {id}_key or {id}_value string; skipped");
                continue;
            }

            AddHardenedPath(mapping, path, flags, id, keyNode.Line, context);
        }
    }

    private static void AddHardenedPath(SettingMapping mapping, string path, string flags, string nativeName, int line, SourceReadContext context) =>
        context.Add(Observation.ForValue(
            RegistryHive.LocalMachine,
            new RegistryIdentity(mapping.KeyPath, path),
            RegistryValue.FromString(flags),
            context.Line(line),
            new NativeSetting(nativeName.StartsWith("./", StringComparison.Ordinal) ? NativeSchemes.IntuneOmaUri : NativeSchemes.IntuneSettingsCatalog, null, nativeName),
            new NativeValue(path + " = " + flags, flags)));

    private static void ReadOmaSetting(JsonTreeNode setting, SourceReadContext context)
    {
        string uri = setting.GetString("omaUri") ?? string.Empty;
        JsonTreeNode? valueNode = setting.Get("value");
        string type = setting.GetString("@odata.type") ?? string.Empty;
        NativeSetting native = new(NativeSchemes.IntuneOmaUri, null, uri);
        string text = valueNode?.ToPlainText() ?? string.Empty;
        SourceLocation location = context.Line(setting.Line);
        if (setting.Get("isEncrypted")?.Kind == JsonValueKind.True)
        {
            context.WarningAtLine(setting.Line, DiagnosticCodes.Int007, $"the value of {uri} is encrypted in this export; read it with Graph getOmaSettingPlainTextValue to audit it");
            context.Add(Observation.ForNative(native, new NativeValue(text, string.Empty), location));
            return;
        }

        SettingMapping? mapping = SettingMap.FindOmaUri(uri);
        if (mapping is null)
        {
            context.Add(Observation.ForNative(native, new NativeValue(text, text), location));
            return;
        }

        if (mapping.Kind == SettingMappingKind.HardenedPaths)
        {
            ReadHardenedPathsAdmx(mapping, uri, text, setting.Line, context);
            return;
        }

        uint? number = valueNode?.Kind == JsonValueKind.Number && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint n)
            ? n
            : valueNode?.Kind == JsonValueKind.String ? FromAdmxString(text, mapping.AdmxDataId) : null;
        if (number is null)
        {
            context.WarningAtLine(setting.Line, DiagnosticCodes.Int008, $"the value of {uri} ({type}) is \"{Shorten(text)}\"; expected an integer, or <enabled/>/<disabled/> with its <data> element");
            context.Add(Observation.ForNative(native, new NativeValue(text, text), location));
            return;
        }

        context.Add(Observation.ForValue(RegistryHive.LocalMachine, mapping.Identity, RegistryValue.FromDWord(number.Value), location, native,
            new NativeValue(text, number.Value.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>ADMX-backed OMA string: <c>&lt;disabled/&gt;</c> → 0; <c>&lt;enabled/&gt;</c> → 1, or the
    /// <c>&lt;data id="…" value="N"/&gt;</c> number when the setting has a data element.</summary>
    private static uint? FromAdmxString(string text, string? dataId)
    {
        string trimmed = text.Trim();
        if (trimmed.StartsWith("<disabled", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (!trimmed.StartsWith("<enabled", StringComparison.OrdinalIgnoreCase))
        {
            return uint.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out uint plain) ? plain : null;
        }

        if (dataId is null)
        {
            return 1;
        }

        foreach (Match m in DataElement().Matches(trimmed))
        {
            if (string.Equals(m.Groups["id"].Value, dataId, StringComparison.OrdinalIgnoreCase)
                && uint.TryParse(WebUtility.HtmlDecode(m.Groups["value"].Value), NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
            {
                return n;
            }
        }

        return null;
    }

    private static void ReadHardenedPathsAdmx(SettingMapping mapping, string uri, string text, int line, SourceReadContext context)
    {
        string trimmed = text.Trim();
        if (trimmed.StartsWith("<disabled", StringComparison.OrdinalIgnoreCase))
        {
            context.Add(Observation.ForMarker(ObservationKind.AllValuesDeleted, RegistryHive.LocalMachine, mapping.Identity, context.Line(line), new NativeSetting(NativeSchemes.IntuneOmaUri, null, uri)));
            return;
        }

        Match? data = DataElement().Matches(trimmed).FirstOrDefault(m => string.Equals(m.Groups["id"].Value, mapping.AdmxDataId, StringComparison.OrdinalIgnoreCase));
        string[] parts = data is null ? [] : WebUtility.HtmlDecode(data.Groups["value"].Value).Split(AdmxListSeparator);
        if (data is null || parts.Length < 2)
        {
            context.WarningAtLine(line, DiagnosticCodes.Int008, $"the value of {uri} is \"{Shorten(text)}\"; expected <enabled/><data id=\"{mapping.AdmxDataId}\" value=\"path&#xF000;flags&#xF000;…\"/>");
            return;
        }

        for (int i = 0; i + 1 < parts.Length; i += 2)
        {
            if (parts[i].Length > 0)
            {
                AddHardenedPath(mapping, parts[i], parts[i + 1], uri, line, context);
            }
        }
    }

    /// <summary>windows10EndpointProtectionConfiguration client signing booleans (policy.md §1; note the inverted
    /// "Disable…IfServerAgrees").</summary>
    private static void ReadEndpointProtection(JsonTreeNode node, SourceReadContext context)
    {
        (string Property, string Csp, bool Inverted)[] known =
        [
            ("localSecurityOptionsClientDigitallySignCommunicationsAlways", "LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsAlways", false),
            ("localSecurityOptionsDisableClientDigitallySignCommunicationsIfServerAgrees", "LocalPoliciesSecurityOptions/MicrosoftNetworkClient_DigitallySignCommunicationsIfServerAgrees", true),
        ];
        foreach ((string property, string csp, bool inverted) in known)
        {
            JsonTreeNode? value = node.Get(property);
            if (value is null || value.Kind is not (JsonValueKind.True or JsonValueKind.False))
            {
                continue;
            }

            bool on = (value.Kind == JsonValueKind.True) != inverted;
            SettingMapping mapping = SettingMap.FindOmaUri(csp)!;
            context.Add(Observation.ForValue(RegistryHive.LocalMachine, mapping.Identity, RegistryValue.FromDWord(on ? 1u : 0u), context.Line(value.Line),
                new NativeSetting(NativeSchemes.IntuneDeviceConfiguration, null, property), new NativeValue(value.ToPlainText(), value.ToPlainText())));
        }
    }

    private static void AddNative(string id, string text, int line, SourceReadContext context) =>
        context.Add(Observation.ForNative(new NativeSetting(NativeSchemes.IntuneSettingsCatalog, null, id), new NativeValue(text, text), context.Line(line)));

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    [GeneratedRegex("<data\\s+id\\s*=\\s*\"(?<id>[^\"]*)\"\\s+value\\s*=\\s*\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DataElement();
}
