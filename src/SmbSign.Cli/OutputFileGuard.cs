namespace SmbSign.Cli;

/// <summary>
/// Decides whether a command may write an output file, before it writes anything. Three rules, the same for every
/// command:
/// <list type="number">
/// <item>Never over an input. Files are compared by identity (<see cref="FileIdentity"/>: device and inode, or the
/// Windows volume and file index), so an input reached through a symbolic link, a hard link, a linked folder or a
/// different spelling of its path is recognised.</item>
/// <item>Never through a link out of an output folder: every folder between the output folder and the file must be a
/// real folder, not a symbolic link or junction (the output folder itself is the user's choice and may be one).</item>
/// <item>An existing file that is not an input is replaced only when the caller says the command documents it;
/// otherwise the command refuses.</item>
/// </list>
/// When it cannot tell (an identity the platform does not give), it refuses to replace an existing file rather than
/// guess. Every refusal is a <see cref="CliException"/> (exit 2) whose one line names the option, the path and the input.
/// </summary>
internal sealed class OutputFileGuard
{
    private readonly List<(string Label, string Path)> _pending = [];
    private readonly List<(string Label, string Path, FileIdentity Identity)> _inputs = [];
    private readonly List<string> _unknownInputs = [];
    private readonly List<(string Option, string Path)> _outputs = [];
    private readonly string? _outputFolder;

    /// <summary>A guard for single output files (<paramref name="outputFolder"/> null), or for the files a command writes
    /// under its output folder.</summary>
    public OutputFileGuard(string? outputFolder = null)
    {
        _outputFolder = outputFolder is null ? null : Path.GetFullPath(outputFolder);
    }

    /// <summary>Records an input (a file the command reads) under <paramref name="label"/> (e.g. <c>--keys file</c>).
    /// Null and <c>-</c> (standard input) are ignored; so are, when compared, inputs that do not exist (nothing can be
    /// overwritten there) and folders (their files are added one by one). Identities are read only when an output path
    /// already exists, so a large fleet costs nothing when the report goes to a new file.</summary>
    public OutputFileGuard AddInput(string label, string? path)
    {
        if (!string.IsNullOrEmpty(path) && path != "-")
        {
            _pending.Add((label, path));
        }

        return this;
    }

    /// <summary>Adds every path in <paramref name="paths"/> as an input.</summary>
    public OutputFileGuard AddInputs(string label, IEnumerable<string?> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (string? path in paths)
        {
            AddInput(label, path);
        }

        return this;
    }

    /// <summary><see cref="CheckFile(string, string, bool)"/> for an optional option value; null when it was not given.</summary>
    public string? CheckFile(string option, FileInfo? file, bool replaceExisting) =>
        file is null ? null : CheckFile(option, file.ToString(), replaceExisting);

    /// <summary>
    /// Checks an output file and returns its full path: one the user named (<c>-o FILE</c>, <c>--relay-list FILE</c>),
    /// or, with an output folder, a file the command writes under it (then no folder between the output folder and the
    /// file may be a symbolic link or junction). <paramref name="replaceExisting"/>: the command documents that it
    /// replaces an existing file (still never an input); then character devices and pipes (<c>/dev/null</c>,
    /// <c>/dev/stdout</c>, <c>&gt;(…)</c>) are allowed too: writing to them replaces nothing.
    /// </summary>
    public string CheckFile(string option, string path, bool replaceExisting)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (_outputFolder is not null)
        {
            CheckInsideFolder(option, _outputFolder, full);
        }

        foreach ((string otherOption, string otherPath) in _outputs)
        {
            if (otherOption != option && string.Equals(otherPath, full, PathComparison))
            {
                throw new CliException($"{option} {path}: is also the {otherOption} output; give two different files.");
            }
        }

        FileKind kind = FileIdentity.Probe(full, out FileIdentity? identity);
        switch (kind)
        {
            case FileKind.Missing:
                if (new FileInfo(full).LinkTarget is { } dangling)
                {
                    // The rename would replace the link itself; say so rather than surprise anyone.
                    throw new CliException($"{option} {path}: is a symbolic link to '{dangling}', which does not exist; give the real path.");
                }

                _outputs.Add((option, full));
                return full;
            case FileKind.Directory:
                throw new CliException($"{option} {path}: is a folder; give a file name.");
            case FileKind.BlockDevice or FileKind.Socket:
                throw new CliException($"{option} {path}: is a {(kind == FileKind.Socket ? "socket" : "block device")}, not a file; give a file name.");
            case FileKind.Unknown:
                throw new CliException($"{option} {path}: already exists and SmbSign cannot tell on this system whether it is one of the inputs; refusing to replace it. Give a new file name.");
        }

        ProbePendingInputs();
        foreach ((string label, string inputPath, FileIdentity inputIdentity) in _inputs)
        {
            if (inputIdentity == identity)
            {
                string how = string.Equals(Path.GetFullPath(inputPath), full, PathComparison) ? string.Empty : ", the same file under another name or through a link";
                throw new CliException($"{option} {path}: is one of the inputs (the {label} {inputPath}{how}); refusing to overwrite it. Choose another output file.");
            }
        }

        if (!replaceExisting)
        {
            throw new CliException($"{option} {path}: already exists; SmbSign does not replace it here. Remove it or choose another name.");
        }

        if (kind is not (FileKind.Fifo or FileKind.CharacterDevice) && _unknownInputs.Count > 0)
        {
            throw new CliException($"{option} {path}: already exists and SmbSign cannot tell whether it is the input {_unknownInputs[0]}; refusing to replace it. Give a new file name.");
        }

        _outputs.Add((option, full));
        return full;
    }

    private void ProbePendingInputs()
    {
        foreach ((string label, string path) in _pending)
        {
            switch (FileIdentity.Probe(path, out FileIdentity? identity))
            {
                case FileKind.Missing or FileKind.Directory:
                    break;
                case FileKind.Unknown:
                    _unknownInputs.Add(path);
                    break;
                default:
                    _inputs.Add((label, path, identity!.Value));
                    break;
            }
        }

        _pending.Clear();
    }

    /// <summary>Refuses a file outside <paramref name="root"/>, or below it through a linked folder.</summary>
    private static void CheckInsideFolder(string option, string root, string full)
    {
        string relative = Path.GetRelativePath(root, full);
        if (Path.IsPathRooted(relative) || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new CliException($"{option} {root}: {full} is outside the output folder; refusing to write it.");
        }

        string current = root;
        string[] parts = relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            var directory = new DirectoryInfo(current);
            if (directory.LinkTarget is { } target)
            {
                throw new CliException($"{option} {root}: {current} is a link to '{target}'; SmbSign never writes through a link out of its output folder. Remove the link or choose another folder.");
            }

            if (!directory.Exists)
            {
                break;
            }
        }
    }

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
