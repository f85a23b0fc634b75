using BenchmarkDotNet.Attributes;
using SmbSign.Policy.Formats.Intune;
using SmbSign.Policy.Formats.NsmbConf;
using SmbSign.Policy.Formats.PowerShellJson;
using SmbSign.Policy.Formats.Reg;
using SmbSign.Policy.Formats.RegistryPol;
using SmbSign.Policy.Formats.SecurityTemplate;
using SmbSign.Policy.Formats.SmbConf;
using SmbSign.Policy.Sources;

namespace SmbSign.Benchmarks;

/// <summary>Each configuration-source reader on a representative file (the test data of SmbSign.Policy.Tests),
/// parsed from memory. The audit target is 5,000 machines/s on 2 cores, i.e. a few hundred microseconds per machine
/// for all of its files together.</summary>
[MemoryDiagnoser]
public class ReaderBenchmarks
{
    private readonly RegFileReader _reg = new();
    private readonly SecurityTemplateReader _inf = new();
    private readonly RegistryPolReader _pol = new();
    private readonly SmbConfigurationJsonReader _powerShell = new();
    private readonly IntunePolicyReader _intune = new();
    private readonly SmbConfReader _smbConf = new();
    private readonly NsmbConfReader _nsmb = new();
    private byte[] _regBytes = [];
    private byte[] _infBytes = [];
    private byte[] _polBytes = [];
    private byte[] _powerShellBytes = [];
    private byte[] _intuneBytes = [];
    private byte[] _smbConfBytes = [];
    private byte[] _nsmbBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _regBytes = Load("Reg", "workstation-utf16.reg");
        _infBytes = Load("SecurityTemplate", "secedit-export-member.inf");
        _polBytes = Load("gpo-samba", "Machine", "Registry.pol");
        _powerShellBytes = Load("PowerShell", "srv01-getsmbserverconfiguration-ps51.json");
        _intuneBytes = Load("Intune", "oib_settings_catalog_security_hardening_lanman_smbv1_subset.json");
        _smbConfBytes = Load("SmbConf", "shares.conf");
        _nsmbBytes = Load("NsmbConf", "managed-mac.conf");
    }

    /// <summary>Reference measured in the same run: only decoding the .reg file's UTF-16 text, the least any text
    /// reader must do. The Reg row's ratio to it is the parsing overhead.</summary>
    [Benchmark(Baseline = true)]
    public int DecodeRegText() => System.Text.Encoding.Unicode.GetString(_regBytes.AsSpan(2)).Length;

    [Benchmark]
    public int Reg() => _reg.Parse(_regBytes, "ws.reg").Observations.Count;

    [Benchmark]
    public int SecurityTemplate() => _inf.Parse(_infBytes, "GptTmpl.inf").Observations.Count;

    [Benchmark]
    public int RegistryPol() => _pol.Parse(_polBytes, "Registry.pol").Observations.Count;

    [Benchmark]
    public int PowerShellJson() => _powerShell.Parse(_powerShellBytes, "srv.json").Observations.Count;

    [Benchmark]
    public int IntuneJson() => _intune.Parse(_intuneBytes, "intune.json").Observations.Count;

    [Benchmark]
    public int SmbConf() => _smbConf.Parse(_smbConfBytes, "smb.conf").Observations.Count;

    [Benchmark]
    public int NsmbConf() => _nsmb.Parse(_nsmbBytes, "nsmb.conf").Observations.Count;

    [Benchmark]
    public SourceFormat Detect() => SourceDetector.Detect(_powerShellBytes);

    private static byte[] Load(params string[] parts)
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SmbSign.slnx")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("Run the benchmarks from inside the SmbSign checkout (SmbSign.slnx not found above " + AppContext.BaseDirectory + ").");
        }

        return File.ReadAllBytes(Path.Combine([dir.FullName, "tests", "SmbSign.Policy.Tests", "TestData", .. parts]));
    }
}
