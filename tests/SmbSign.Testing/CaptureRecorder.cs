using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SmbSign.Testing;

/// <summary>Records loopback traffic of one TCP port to a pcapng file with <c>dumpcap</c> (Wireshark's capture engine,
/// Debian package <c>tshark</c>/<c>wireshark-common</c>): starts it with the capture filter <c>tcp port N</c>, waits
/// until it reports that it is capturing, and on <see cref="StopAsync"/> lets in-flight packets land, sends SIGINT
/// and waits for dumpcap to flush and exit. Needs capture rights on <c>lo</c> (root here and in CI). Tests that use it
/// fail, never skip, when dumpcap is missing or cannot capture.</summary>
public sealed class CaptureRecorder : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly string _directory;
    private bool _stopped;

    private CaptureRecorder(Process process, StringBuilder log, string directory, string path, int port)
    {
        _process = process;
        _log = log;
        _directory = directory;
        FilePath = path;
        Port = port;
    }

    /// <summary>The pcapng file being written (complete after <see cref="StopAsync"/>).</summary>
    public string FilePath { get; }

    public int Port { get; }

    /// <summary>What dumpcap printed (for assertion messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Packets the kernel dropped, from dumpcap's closing statistics (known after <see cref="StopAsync"/>; 0 if it printed none).</summary>
    public long DroppedPackets
    {
        get
        {
            // "Packets received/dropped on interface 'Loopback: lo': 111/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)"
            foreach (string line in Log.Split('\n'))
            {
                int marker = line.IndexOf("received/dropped", StringComparison.Ordinal);
                int colon = line.LastIndexOf("': ", StringComparison.Ordinal);
                if (marker < 0 || colon < 0)
                {
                    continue;
                }

                string counts = line[(colon + 3)..].Split(' ')[0];
                string[] parts = counts.Split('/');
                if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long dropped))
                {
                    return dropped;
                }
            }

            return 0;
        }
    }

    /// <summary>Starts capturing <c>tcp port <paramref name="port"/></c> on <paramref name="interfaceName"/>; returns once dumpcap captures.</summary>
    public static async Task<CaptureRecorder> StartAsync(int port, string interfaceName = "lo", CancellationToken cancellationToken = default)
    {
        string dumpcap = ToolLocator.Require("dumpcap", "tshark");
        string directory = Path.Combine(Path.GetTempPath(), "smbsign-capture-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "capture.pcapng");
        var psi = new ProcessStartInfo(dumpcap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // -B: a 64 MiB kernel buffer, so loopback bursts (megabyte READs) are not dropped; -n: pcapng.
        foreach (string argument in new[] { "-i", interfaceName, "-f", $"tcp port {port.ToString(CultureInfo.InvariantCulture)}", "-w", path, "-n", "-B", "64" })
        {
            psi.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        var capturing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Process process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dumpcap");
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (line.StartsWith("Capturing on", StringComparison.Ordinal))
            {
                capturing.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var recorder = new CaptureRecorder(process, log, directory, path, port);
        try
        {
            Task exited = process.WaitForExitAsync(cancellationToken);
            Task timeout = Task.Delay(s_startTimeout, cancellationToken);
            Task first = await Task.WhenAny(capturing.Task, exited, timeout).ConfigureAwait(false);
            if (first != capturing.Task)
            {
                throw new InvalidOperationException(
                    (first == exited ? $"dumpcap exited ({process.ExitCode}) before capturing" : $"dumpcap did not start capturing within {s_startTimeout.TotalSeconds} s")
                    + $" on '{interfaceName}' (capturing needs root or CAP_NET_RAW): {recorder.Log}");
            }

            // "Capturing on" is printed once the filter is installed; give the ring a moment before traffic starts.
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            return recorder;
        }
        catch
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops cleanly: waits for in-flight packets, SIGINT, waits for dumpcap to flush and exit. Returns the file.</summary>
    public async Task<string> StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return FilePath;
        }

        _stopped = true;
        await Task.Delay(300, cancellationToken).ConfigureAwait(false);
        if (!_process.HasExited)
        {
            await SendInterruptAsync(_process.Id, cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_stopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"dumpcap did not stop within {s_stopTimeout.TotalSeconds} s of SIGINT: {Log}");
            }
        }

        _process.WaitForExit();
        if (!File.Exists(FilePath) || new FileInfo(FilePath).Length == 0)
        {
            throw new InvalidOperationException($"dumpcap wrote no capture to {FilePath}: {Log}");
        }

        return FilePath;
    }

    /// <summary>Copies the finished capture to <paramref name="destination"/> (creating its folder).</summary>
    public void CopyTo(string destination)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(destination));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        File.Copy(FilePath, destination, overwrite: true);
    }

    private static async Task SendInterruptAsync(int processId, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("CaptureRecorder stops dumpcap with SIGINT; it runs on Linux and macOS.");
        }

        string kill = ToolLocator.Find("kill") ?? "/bin/kill";
        (int code, string output) = await ProcessRunner.RunAsync(
            kill, ["-INT", processId.ToString(CultureInfo.InvariantCulture)], null, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"kill -INT {processId} failed ({code}): {output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
