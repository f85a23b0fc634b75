using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SmbSign.Testing;

/// <summary>
/// A real headless Debian <c>chromium</c> driven over the Chrome DevTools Protocol (a small client over
/// <see cref="ClientWebSocket"/>: no Playwright, no node). It records every console message, uncaught exception and
/// network request of the page, so tests can assert "no console errors" and "nothing but the file itself was
/// requested". Started with its own temporary profile; killed and cleaned up on dispose.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly string _profile;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<int, TaskCompletionSource<JsonNode>> _pending = [];
    private readonly Lock _lock = new();
    private readonly Task _pump;
    private int _nextId;
    private string? _sessionId;

    private HeadlessChromium(Process process, string profile, Uri browserSocket)
    {
        _process = process;
        _profile = profile;
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        _socket.ConnectAsync(browserSocket, CancellationToken.None).GetAwaiter().GetResult();
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Console messages of type error or warning, and uncaught exceptions, as text.</summary>
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Every URL the page requested (Network.requestWillBeSent).</summary>
    public List<string> Requests { get; } = [];

    public static string ExecutablePath => ToolLocator.Require("chromium", "chromium");

    /// <summary>Starts chromium with the flags a test needs (no network services, no first-run, own profile).</summary>
    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken = default)
    {
        string exe = ExecutablePath;
        string profile = Directory.CreateTempSubdirectory("smbsign-chromium-").FullName;
        ProcessStartInfo start = new(exe)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--remote-debugging-port=0",
            "--user-data-dir=" + profile, "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter();
        // The browser prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        StringBuilder seen = new();
        while (true)
        {
            string? line = await process.StandardError.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                throw new InvalidOperationException("chromium exited before DevTools listened: " + seen);
            }

            seen.AppendLine(line);
            Match match = DevToolsLine().Match(line);
            if (match.Success)
            {
                _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                return new HeadlessChromium(process, profile, new Uri(match.Groups[1].Value));
            }
        }
    }

    /// <summary>Opens a fresh page (target), attaches and enables the Page, Runtime, Log and Network domains.</summary>
    public async Task OpenPageAsync(int width, int height)
    {
        JsonNode target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, browser: true);
        string targetId = target["targetId"]!.GetValue<string>();
        JsonNode attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true }, browser: true);
        _sessionId = attached["sessionId"]!.GetValue<string>();
        await SendAsync("Page.enable");
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
        await SendAsync("Network.enable");
        await SetViewportAsync(width, height);
    }

    public Task SetViewportAsync(int width, int height) =>
        SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = width < 600 });

    /// <summary>Navigates and waits for the load event.</summary>
    public async Task NavigateAsync(string url)
    {
        TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _loaded = loaded;
        }

        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await loaded.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private TaskCompletionSource? _loaded;

    /// <summary>Evaluates <paramref name="expression"/> in the page (awaiting a promise) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        JsonNode result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException("page script failed: " + exception.ToJsonString());
        }

        return result["result"]?["value"];
    }

    public async Task<string> EvaluateStringAsync(string expression) => (await EvaluateAsync(expression))?.GetValue<string>() ?? string.Empty;

    /// <summary>Types text into the focused element as keyboard input (fires input events like a user).</summary>
    public Task InsertTextAsync(string text) => SendAsync("Input.insertText", new JsonObject { ["text"] = text });

    /// <summary>A PNG of the page beyond the viewport, cut at <paramref name="maxHeight"/> CSS pixels (chromium refuses
    /// captures taller than its texture limit).</summary>
    public async Task<byte[]> ScreenshotAsync(int maxHeight = 6000)
    {
        JsonNode metrics = await SendAsync("Page.getLayoutMetrics");
        JsonNode size = metrics["cssContentSize"]!;
        double width = size["width"]!.GetValue<double>();
        // From the current scroll position, so a test can scroll to a section and take it.
        double y = (await EvaluateAsync("window.scrollY"))?.GetValue<double>() ?? 0;
        double height = Math.Min(size["height"]!.GetValue<double>() - y, maxHeight);
        JsonObject parameters = new()
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject { ["x"] = 0, ["y"] = y, ["width"] = width, ["height"] = height, ["scale"] = 1 },
        };
        JsonNode shot = await SendAsync("Page.captureScreenshot", parameters);
        return Convert.FromBase64String(shot["data"]!.GetValue<string>());
    }

    /// <summary>Writes a full-page PNG to <paramref name="path"/>.</summary>
    public async Task SaveScreenshotAsync(string path, int maxHeight = 6000) => await File.WriteAllBytesAsync(path, await ScreenshotAsync(maxHeight));

    /// <summary>Emulates a CSS media type ("print", "screen"; empty resets).</summary>
    public Task EmulateMediaAsync(string media) => SendAsync("Emulation.setEmulatedMedia", new JsonObject { ["media"] = media });

    /// <summary>A PDF of the page as the browser prints it (the @media print rules apply).</summary>
    public async Task<byte[]> PrintToPdfAsync()
    {
        JsonNode pdf = await SendAsync("Page.printToPDF", new JsonObject { ["printBackground"] = true });
        return Convert.FromBase64String(pdf["data"]!.GetValue<string>());
    }

    public async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null, bool browser = false)
    {
        TaskCompletionSource<JsonNode> reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int id;
        lock (_lock)
        {
            id = ++_nextId;
            _pending[id] = reply;
        }

        JsonObject message = new() { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (!browser && _sessionId is not null)
        {
            message["sessionId"] = _sessionId;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task PumpAsync()
    {
        byte[] buffer = new byte[1 << 16];
        MemoryStream message = new();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                WebSocketReceiveResult result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                JsonNode? node = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length));
                message.SetLength(0);
                if (node is not null)
                {
                    Dispatch(node);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_lock)
            {
                foreach (TaskCompletionSource<JsonNode> pending in _pending.Values)
                {
                    pending.TrySetException(new InvalidOperationException("DevTools connection closed"));
                }
            }
        }
    }

    private void Dispatch(JsonNode node)
    {
        if (node["id"] is { } idNode)
        {
            TaskCompletionSource<JsonNode>? reply;
            lock (_lock)
            {
                _pending.Remove(idNode.GetValue<int>(), out reply);
            }

            if (node["error"] is { } error)
            {
                reply?.TrySetException(new InvalidOperationException("DevTools error: " + error.ToJsonString()));
            }
            else
            {
                reply?.TrySetResult(node["result"] ?? new JsonObject());
            }

            return;
        }

        string method = node["method"]?.GetValue<string>() ?? string.Empty;
        JsonNode? p = node["params"];
        lock (_lock)
        {
            switch (method)
            {
                case "Page.loadEventFired":
                    _loaded?.TrySetResult();
                    break;
                case "Network.requestWillBeSent":
                    Requests.Add(p?["request"]?["url"]?.GetValue<string>() ?? "?");
                    break;
                case "Runtime.consoleAPICalled" when Text(p?["type"]) is "error" or "warning" or "assert":
                    ConsoleErrors.Add("console." + Text(p?["type"]) + ": " + p?["args"]?.ToJsonString());
                    break;
                case "Runtime.exceptionThrown":
                    ConsoleErrors.Add("exception: " + p?["exceptionDetails"]?.ToJsonString());
                    break;
                case "Log.entryAdded" when Text(p?["entry"]?["level"]) is "error" or "warning":
                    ConsoleErrors.Add("log: " + Text(p?["entry"]?["text"]));
                    break;
            }
        }
    }

    private static string? Text(JsonNode? node) => node?.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stop.CancelAsync();
            _socket.Abort();
            _socket.Dispose();
            await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            _process.Dispose();
            _stop.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // chromium may still be flushing its profile; a temp folder left behind is harmless.
            }
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}
