using System.Text;
using System.Text.Json.Nodes;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Remediation;

/// <summary>
/// Audit documents for the planner tests, in the schema-version-2 shape the audit writes: a test states only the fields it
/// is about (a machine's <c>name</c> and <c>results</c>, a result's <c>setting</c>, <c>status</c>, values...), and every
/// other field the reader requires is filled with a neutral value: the registry location and type from the settings
/// catalog (REG_SZ for a setting the catalog does not know), counts of zero, empty lists. Values are never converted: a
/// test that writes a number where the audit writes a string is refused like any such file.
/// </summary>
internal static class AuditJsonFixture
{
    public static AuditDocument Parse(string fragment, string sourceName = "a.json") =>
        AuditDocumentReader.Parse(Encoding.UTF8.GetBytes(Complete(fragment)), sourceName);

    /// <summary>The fragment (<c>{"machines": [...]}</c>, optionally <c>benchmark</c>) as a complete document.</summary>
    public static string Complete(string fragment)
    {
        JsonObject root = JsonNode.Parse(fragment)!.AsObject();
        JsonObject document = new()
        {
            ["schemaVersion"] = 2,
            ["generatedAt"] = "2026-12-07T00:00:00Z",
            ["toolVersion"] = "0.1.0",
            ["tool"] = "smbsign 0.1.0",
            ["strict"] = false,
            ["failuresOnly"] = false,
        };
        JsonArray machines = root["machines"]!.AsArray();
        root.Remove("machines");
        foreach (JsonNode? machine in machines)
        {
            CompleteMachine(machine!.AsObject());
        }

        document["machines"] = machines;
        document["benchmark"] = root["benchmark"]?.DeepClone() ?? "test";
        document["summary"] = new JsonObject
        {
            ["machines"] = machines.Count, ["machinesFailing"] = 0, ["machinesPassing"] = 0, ["failingMachines"] = new JsonArray(),
            ["machinesWithUnreadableSources"] = 0, ["pass"] = 0, ["fail"] = 0, ["notConfigured"] = 0, ["strictFailures"] = 0,
            ["notApplicable"] = 0, ["error"] = 0, ["rules"] = new JsonArray(),
        };
        document["problems"] = new JsonArray();
        document["warnings"] = new JsonArray();
        return document.ToJsonString();
    }

    private static void CompleteMachine(JsonObject machine)
    {
        Default(machine, "os", null);
        Default(machine, "osName", null);
        Default(machine, "osOrigin", "test");
        Default(machine, "role", "workstation");
        Default(machine, "benchmark", "test");
        Default(machine, "benchmarkName", "test");
        Default(machine, "benchmarkOrigin", "test");
        Default(machine, "sources", new JsonArray());
        Default(machine, "diagnostics", new JsonArray());
        Default(machine, "notes", new JsonArray());
        Default(machine, "verdict", "fail");
        Default(machine, "failing", new JsonArray());
        Default(machine, "counts", new JsonObject { ["pass"] = 0, ["fail"] = 0, ["notApplicable"] = 0, ["error"] = 0, ["notConfigured"] = 0 });
        int index = 0;
        foreach (JsonNode? result in machine["results"]!.AsArray())
        {
            CompleteResult(result!.AsObject(), ++index);
        }
    }

    private static void CompleteResult(JsonObject result, int index)
    {
        string setting = (string?)result["setting"] ?? "test.Setting" + index;
        Default(result, "rule", "r" + index);
        Default(result, "item", null);
        Default(result, "title", "t");
        Default(result, "level", null);
        Default(result, "setting", setting);
        JsonObject registry = result["registry"]?.AsObject() ?? [];
        result["registry"] = registry;
        bool known = SettingsCatalog.Default.TryGetById(setting, out SettingDefinition? definition);
        Default(registry, "key", known ? definition!.Registry.Key : @"HKLM\SOFTWARE\Test");
        Default(registry, "valueName", known ? definition!.ValueName : "Test");
        Default(registry, "type", known ? definition!.ValueType.ToRegName() : "REG_SZ");
        Default(result, "operator", "equals");
        Default(result, "expected", null);
        Default(result, "configured", null);
        Default(result, "effective", null);
        Default(result, "effectiveSource", null);
        Default(result, "effectiveCompliant", null);
        Default(result, "notConfigured", false);
        Default(result, "strictFailure", false);
        Default(result, "reason", null);
        Default(result, "layer", null);
        Default(result, "source", null);
        Default(result, "note", null);
    }

    private static void Default(JsonObject node, string name, JsonNode? value)
    {
        if (!node.ContainsKey(name))
        {
            node[name] = value;
        }
    }
}
