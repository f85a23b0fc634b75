using System.Text;
using CsCheck;
using SmbSign.Policy.Catalog;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Policy.Remediation;
using SmbSign.Policy.Sources;

namespace SmbSign.Policy.Tests.Remediation;

/// <summary>
/// Property tests (CsCheck): whatever a writer writes, its reader reads back exactly: .reg, Registry.pol, security
/// templates (GptTmpl.inf) and smb.conf. The generators lean on the edges: empty strings, quotes, backslashes, commas,
/// '=' and ';', non-ASCII (including characters outside the BMP), 0 and 4294967295, long and empty multi-strings.
/// A fixed iteration count on one thread keeps each property near a second on a loaded machine.
/// </summary>
public sealed class WriterRoundTripPropertyTests
{
    private const int Iterations = 300;

    private const string Tricky = "aZ09 _-.,;=:[]{}()\"'\\/%@*?!#$&+~`^|<>\té€中\U0001F512";

    /// <summary>Well-formed UTF-16 text (a lone surrogate is not text any format here can carry).</summary>
    private static readonly Gen<string> s_anyText = Gen.OneOf(
        Gen.Const(string.Empty),
        Gen.Char[Tricky].Array[1, 24].Select(Join),
        Gen.String[0, 16]).Where(IsWellFormed);

    /// <summary>Key segments: registry key names cannot hold '\' (it separates them) or be empty.</summary>
    private static readonly Gen<string> s_keyPath = Gen.Char["abcXYZ09 _-.é中{}"].Array[1, 12].Select(Join)
        .Where(s => s.Trim().Length > 0 && s == s.Trim())
        .Array[1, 4].Select(parts => "SOFTWARE\\" + string.Join('\\', parts));

    private static readonly Gen<uint> s_dword = Gen.OneOf(Gen.Const(0u), Gen.Const(1u), Gen.Const(uint.MaxValue), Gen.UInt);

    /// <summary>REG_MULTI_SZ items are NUL-terminated, so an empty item would end the list: items are non-empty.</summary>
    private static readonly Gen<string[]> s_items = s_anyText.Where(s => s.Length > 0 && !s.Contains('\0', StringComparison.Ordinal)).Array[0, 5];

    [Fact]
    public void Reg_EveryValueWritten_ReadsBackIdentical()
    {
        Gen<RegistryValue> values = Gen.OneOf(
            s_dword.Select(RegistryValue.FromDWord),
            Gen.OneOf(Gen.Const(ulong.MaxValue), Gen.ULong).Select(RegistryValue.FromQWord),
            s_anyText.Where(NoNul).Select(s => RegistryValue.FromString(s)),
            s_anyText.Where(NoNul).Select(s => RegistryValue.FromString(s, expand: true)),
            s_items.Select(i => RegistryValue.FromMultiString(i)),
            Gen.Byte.Array[0, 40].Select(b => RegistryValue.FromBytes(b)));
        Gen<List<RegistryChange>> changes = Gen.Select(s_keyPath, s_anyText.Where(NoNul), values.Null(), (key, name, value) => new RegistryChange(new RegistryIdentity(key, name), value, "comment " + name))
            .List[1, 6];

        changes.Sample(
            list =>
            {
                byte[] bytes = RegWriter.Write(list, ["header ; with \"quotes\" and \\ backslash", "é中\U0001F512"]);
                SourceReadResult read = new RegFileReader().Parse(bytes, "p.reg");
                AssertSame(list, read);
            },
            iter: Iterations,
            threads: 1,
            print: Print);
    }

    [Fact]
    public void RegistryPol_EveryValueWritten_ReadsBackIdentical()
    {
        Gen<RegistryValue> values = Gen.OneOf(
            s_dword.Select(RegistryValue.FromDWord),
            Gen.OneOf(Gen.Const(ulong.MaxValue), Gen.ULong).Select(RegistryValue.FromQWord),
            s_anyText.Where(NoNul).Select(s => RegistryValue.FromString(s)),
            s_anyText.Where(NoNul).Select(s => RegistryValue.FromString(s, expand: true)),
            s_items.Select(i => RegistryValue.FromMultiString(i)),
            Gen.Byte.Array[0, 40].Select(b => RegistryValue.FromBytes(b)));

        // "**" names are PReg instructions (**del., **delvals., ...), not values.
        Gen<string> names = s_anyText.Where(s => NoNul(s) && !s.StartsWith("**", StringComparison.Ordinal));
        Gen<List<RegistryChange>> changes = Gen.Select(s_keyPath, names, values.Null(), (key, name, value) => new RegistryChange(new RegistryIdentity(key, name), value))
            .List[1, 6];

        changes.Sample(
            list =>
            {
                SourceReadResult read = new RegistryPolReader(RegistryHive.LocalMachine).Parse(RegistryPolWriter.Write(list), "p.pol");
                AssertSame(list, read);
            },
            iter: Iterations,
            threads: 1,
            print: Print);
    }

    [Fact]
    public void SecurityTemplate_EveryValueWritten_ReadsBackIdentical()
    {
        // A template line is MACHINE\key\name=type,data: value names cannot hold '\' or '=' or start/end with a space
        // (the writer refuses them); string data cannot hold '"' (no escape exists) and a template cannot delete.
        Gen<string> names = Gen.Char["abcXYZ09_-.é中{}$"].Array[1, 16].Select(Join);
        Gen<string> data = s_anyText.Where(s => NoNul(s) && !s.Contains('"', StringComparison.Ordinal) && s.IndexOfAny(['\r', '\n']) < 0);
        Gen<RegistryValue> values = Gen.OneOf(
            s_dword.Select(RegistryValue.FromDWord),
            data.Select(s => RegistryValue.FromString(s)),
            data.Select(s => RegistryValue.FromString(s, expand: true)),
            data.Where(s => s.Length > 0).Array[0, 5].Select(i => RegistryValue.FromMultiString(i)));
        Gen<List<RegistryChange>> changes = Gen.Select(s_keyPath, names, values, (key, name, value) => new RegistryChange(new RegistryIdentity(key, name), value))
            .List[1, 6];

        changes.Sample(
            list =>
            {
                SourceReadResult read = new SecurityTemplateReader().Parse(SecurityTemplateWriter.Write(list), "GptTmpl.inf");
                AssertSame(list, read);
            },
            iter: Iterations,
            threads: 1,
            print: Print);
    }

    [Fact]
    public void SmbConf_EveryParameterWritten_ReadsBackIdentical()
    {
        // Every catalog setting with an exact Samba equivalent, with each of its values; titles and rule ids (free text
        // from the audit) go into comments and must never change what Samba reads.
        SettingDefinition[] samba = [.. SettingsCatalog.Default.Settings.Where(s => s.Samba is { Values.IsEmpty: false })];
        Assert.NotEmpty(samba);
        Gen<RemediationItem> items = Gen.Select(Gen.Int[0, samba.Length - 1], Gen.Int[0, 16], s_anyText.Null(), (index, pick, rule) =>
        {
            SettingDefinition setting = samba[index];
            long[] known = [.. setting.Samba!.Values.Select(v => v.Value).OfType<long>()];
            long value = known.Length == 0 ? 0 : known[pick % known.Length];
            return new RemediationItem(setting, SettingValue.FromNumber(value), PreviousValue.Unknown, rule, RemediationReason.Baseline);
        });
        Gen<(List<RemediationItem> Items, string Title)> plans = Gen.Select(items.List[1, 8], s_anyText);

        plans.Sample(
            sample =>
            {
                (List<RemediationItem> list, string title) = sample;
                // One item per setting, as the planner makes them.
                RemediationItem[] unique = [.. list.DistinctBy(i => i.Setting.Id)];
                var plan = new RemediationPlan("m", "samba", "test", "test", [.. unique], []);
                SmbConfPlan conf = SmbConfWriter.Plan(plan);
                string text = SmbConfWriter.GlobalSection(conf, title);

                SourceReadResult read = new SmbConfReader().Parse(Encoding.UTF8.GetBytes(text), "smb.conf");

                Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
                Dictionary<string, string> seen = new(StringComparer.OrdinalIgnoreCase);
                foreach (Observation o in read.Observations.Where(o => o.Native is not null))
                {
                    Assert.Equal("global", o.Native!.Section, StringComparer.OrdinalIgnoreCase);
                    seen[o.Native.Name] = o.NativeValue!.Text;
                }

                Assert.Equal(conf.Parameters.Length, seen.Count);
                foreach (SmbConfParameter parameter in conf.Parameters)
                {
                    Assert.True(seen.TryGetValue(parameter.Name, out string? value), $"{parameter.Name} not read back from:\n{text}");
                    Assert.Equal(parameter.Value, value);
                }
            },
            iter: Iterations,
            threads: 1,
            print: t => Print(t.Items.Select(i => $"{i.Setting.Id}={i.Target} rule={i.RuleId}")) + " title=" + Escape(t.Title));
    }

    /// <summary>The reader's observations equal the changes, in order: the same identity, the same typed value (or a deletion).</summary>
    private static void AssertSame(List<RegistryChange> changes, SourceReadResult read)
    {
        Assert.False(read.HasErrors, string.Join("\n", read.Diagnostics));
        Observation[] observed = [.. read.Observations.Where(o => o.Kind is ObservationKind.Value or ObservationKind.ValueDeleted)];
        Assert.Equal(changes.Count, observed.Length);
        for (int i = 0; i < changes.Count; i++)
        {
            RegistryChange change = changes[i];
            Observation o = observed[i];
            Assert.Equal(change.Identity.KeyPath, o.Registry!.Value.KeyPath, StringComparer.OrdinalIgnoreCase);
            Assert.Equal(change.Identity.ValueName, o.Registry!.Value.ValueName);
            if (change.Value is null)
            {
                Assert.Equal(ObservationKind.ValueDeleted, o.Kind);
            }
            else
            {
                Assert.Equal(ObservationKind.Value, o.Kind);
                Assert.Equal(change.Value, o.Value);
            }
        }
    }

    private static bool IsWellFormed(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool NoNul(string s) => !s.Contains('\0', StringComparison.Ordinal);

    private static string Join(char[] chars) => new(chars);

    private static string Escape(string s) => string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));

    private static string Print(IEnumerable<object> items) => string.Join(" | ", items.Select(i => Escape(i?.ToString() ?? "null")));

    private static string Print(List<RegistryChange> changes) =>
        string.Join(" | ", changes.Select(c => Escape($"{c.Identity.KeyPath}\\{c.Identity.ValueName} = {(c.Value is null ? "-" : c.Value.Type + ":" + c.Value.ToDisplayString())}")));
}
