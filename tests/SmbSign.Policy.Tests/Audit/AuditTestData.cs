using System.Buffers.Binary;
using System.Text;
using SmbSign.Policy.Audit;
using SmbSign.Policy.Defaults;
using SmbSign.Policy.Rules;

namespace SmbSign.Policy.Tests.Audit;

/// <summary>Builds small machine exports in memory, the way Windows tools write them.</summary>
internal static class AuditTestData
{
    public const string Workstation = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanWorkstation\Parameters";
    public const string Server = @"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
    public const string PolicyWorkstation = @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation";
    public const string HardenedPaths = @"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\NetworkProvider\HardenedPaths";

    /// <summary>A regedit 5.00 export (UTF-16LE with BOM, CRLF) of the given lines after the header.</summary>
    public static byte[] Reg(params string[] lines) =>
        [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Windows Registry Editor Version 5.00\r\n\r\n" + string.Join("\r\n", lines) + "\r\n")];

    /// <summary>A security template (UTF-16LE with BOM) with these [Registry Values] lines.</summary>
    public static byte[] Inf(params string[] registryValues) =>
        [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("[Unicode]\r\nUnicode=yes\r\n[Version]\r\nsignature=\"$CHICAGO$\"\r\nRevision=1\r\n[Registry Values]\r\n" + string.Join("\r\n", registryValues) + "\r\n")];

    /// <summary>A Registry.pol (PReg v1) with DWORD or string records.</summary>
    public static byte[] Pol(params (string Key, string Value, object Data)[] records)
    {
        List<byte> bytes = [.. "PReg"u8.ToArray(), 1, 0, 0, 0];
        foreach ((string key, string value, object data) in records)
        {
            byte[] raw;
            uint type;
            if (data is int n)
            {
                raw = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(raw, (uint)n);
                type = 4;
            }
            else
            {
                raw = Encoding.Unicode.GetBytes((string)data + "\0");
                type = 1;
            }

            bytes.AddRange(Encoding.Unicode.GetBytes("[" + key + "\0;" + value + "\0;"));
            bytes.AddRange(BitConverter.GetBytes(type));
            bytes.AddRange(Encoding.Unicode.GetBytes(";"));
            bytes.AddRange(BitConverter.GetBytes((uint)raw.Length));
            bytes.AddRange(Encoding.Unicode.GetBytes(";"));
            bytes.AddRange(raw);
            bytes.AddRange(Encoding.Unicode.GetBytes("]"));
        }

        return [.. bytes];
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Reads each (name, content) with format detection and merges them in order.</summary>
    public static MachineSnapshot Snapshot(params (string Name, byte[] Content)[] sources)
    {
        SnapshotBuilder builder = new();
        foreach ((string name, byte[] content) in sources)
        {
            builder.Add(MachineSourceReader.Parse(content, name));
        }

        return builder.Build("machine");
    }

    public static RulePack Pack(string id)
    {
        Assert.True(RulePacks.TryGet(id, out RulePack? pack), id);
        return pack;
    }

    public static AuditFinding Finding(MachineSnapshot snapshot, string os, string packId, string ruleId, bool strict = false, OsRole? role = null)
    {
        OsProfile profile = OsProfiles.Get(os);
        if (role is { } r && r != profile.Role)
        {
            profile = profile.WithRole(r);
        }

        RulePack pack = Pack(packId);
        AuditRule rule = pack.Rules.Single(x => x.Id == ruleId);
        return AuditEngine.Evaluate(rule, snapshot, profile, profile.Role, pack, strict);
    }
}
