using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
    private Socket? _marker;

    private CaptureRecorder(Process process, StringBuilder log, string directory, string path, int port)
    {
        _process = process;
        _log = log;
        _directory = directory;
        FilePath = path;
        Port = port;
    }

    /// <summary>The UDP port the start-up markers go to (bound by the recorder, so they are delivered, not refused).</summary>
    private int MarkerPort => ((IPEndPoint)_marker!.LocalEndPoint!).Port;

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
        // Start-up is proven, not waited for: dumpcap also records UDP datagrams to a port of our own, and traffic starts
        // only once one of those datagrams is in the file (a loaded machine lost SYNs when "Capturing on" + 200 ms was the
        // signal). StopAsync removes the markers, so the capture holds only the port's TCP traffic.
        var marker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        marker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int markerPort = ((IPEndPoint)marker.LocalEndPoint!).Port;
        var psi = new ProcessStartInfo(dumpcap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // -B: a 64 MiB kernel buffer, so loopback bursts (megabyte READs) are not dropped; -n: pcapng.
        foreach (string argument in new[] { "-i", interfaceName, "-f", $"tcp port {port.ToString(CultureInfo.InvariantCulture)} or (udp dst port {markerPort.ToString(CultureInfo.InvariantCulture)})", "-w", path, "-n", "-B", "64" })
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
        var recorder = new CaptureRecorder(process, log, directory, path, port) { _marker = marker };
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

            await recorder.WaitForMarkerAsync(cancellationToken).ConfigureAwait(false);
            return recorder;
        }
        catch
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends marker datagrams until dumpcap has written one to the file (it flushes within its update interval):
    /// from then on every packet on the port is recorded.</summary>
    private async Task WaitForMarkerAsync(CancellationToken cancellationToken)
    {
        Stopwatch clock = Stopwatch.StartNew();
        long headerLength = -1;
        while (clock.Elapsed < s_startTimeout)
        {
            long length = File.Exists(FilePath) ? new FileInfo(FilePath).Length : 0;
            if (headerLength < 0 && length > 0)
            {
                headerLength = length;
            }
            else if (headerLength >= 0 && length > headerLength)
            {
                return;
            }

            if (headerLength >= 0)
            {
                await _marker!.SendToAsync(new byte[] { 0x53 }, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, MarkerPort), cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"dumpcap recorded no start-up marker within {s_startTimeout.TotalSeconds} s: {Log}");
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

        // Drop the start-up markers with tshark, so analyses and tests see the port's TCP traffic only.
        string tshark = ToolLocator.Require("tshark", "tshark");
        string raw = FilePath + ".raw";
        File.Move(FilePath, raw);
        (int code, string output) = await ProcessRunner.RunAsync(
            tshark,
            ["-r", raw, "-Y", $"not (udp.dstport == {MarkerPort.ToString(CultureInfo.InvariantCulture)})", "-w", FilePath, "-F", "pcapng"],
            null,
            TimeSpan.FromSeconds(120),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (code != 0 || !File.Exists(FilePath))
        {
            throw new InvalidOperationException($"tshark could not remove the start-up markers ({code}): {output}");
        }

        File.Delete(raw);
        _marker?.Dispose();
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
            _marker?.Dispose();
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
