using SmbSign.Policy.Defaults;

namespace SmbSign.Policy.Audit;

/// <summary>How a machine's sources were grouped.</summary>
public enum MachineGrouping
{
    /// <summary>Files sharing a file-name stem (<c>ws-01.reg</c> + <c>ws-01.smbclient.json</c>).</summary>
    FileStem,

    /// <summary>A folder per machine (every file and GPO folder inside it).</summary>
    Folder,

    /// <summary>A GPO folder given or found on its own.</summary>
    GpoFolder,

    /// <summary><c>--machine NAME=FILE[,FILE...]</c>.</summary>
    CommandLine,

    /// <summary>The <c>files</c> list of a <c>machines.json</c> entry.</summary>
    Manifest,
}

/// <summary>
/// One machine to audit: its name, its source paths (files or GPO folders) in read order, and what a manifest or the
/// command line says about it. Cheap to hold: the files are read only when the machine is audited.
/// </summary>
public sealed record MachineInput
{
    public required string Name { get; init; }

    /// <summary>Source paths in the order they are read (later sources of the same precedence layer win).</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    public MachineGrouping Grouping { get; init; }

    /// <summary>OS profile id from a manifest (<c>win11-24h2-pro</c>), or null.</summary>
    public string? Os { get; init; }

    /// <summary>Role from a manifest, or null.</summary>
    public OsRole? Role { get; init; }

    /// <summary>Benchmark (rule pack id) from a manifest, or null.</summary>
    public string? Benchmark { get; init; }

    /// <summary>What the machine is meant to show (manifest <c>description</c>).</summary>
    public string? Description { get; init; }

    /// <summary>The manifest that described the machine, if any.</summary>
    public string? Manifest { get; init; }
}
