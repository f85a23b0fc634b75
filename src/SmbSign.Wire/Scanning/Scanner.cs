using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace SmbSign.Wire.Scanning;

/// <summary>How a scan is paced.</summary>
public sealed record ScanOptions
{
    /// <summary>Targets probed at the same time (each probe holds up to two connections, more with --deep).</summary>
    public int Concurrency { get; init; } = 128;

    /// <summary>New targets started per second; null = as fast as <see cref="Concurrency"/> allows.</summary>
    public double? RatePerSecond { get; init; }

    /// <summary>True: results come out in input order (a bounded reorder window holds early finishers). False: as completed.</summary>
    public bool PreserveOrder { get; init; } = true;

    /// <summary>Most targets started but not yet handed to the caller; bounds memory. Default max(4 × concurrency, 256).</summary>
    public int? Window { get; init; }
}

/// <summary>Runs <see cref="SmbProber"/> over a stream of targets with bounded concurrency, an optional start rate and
/// cancellation. Targets are pulled lazily and at most <see cref="ScanOptions.Window"/> results are held at once, so memory
/// stays flat whatever the number of targets. With <see cref="ScanOptions.PreserveOrder"/> (the default) results are
/// yielded in input order: a slow target holds back later ones only until the window is full, then new starts wait for it
/// (its own deadline bounds that wait). Every target yields exactly one result; only cancellation throws.</summary>
public sealed class Scanner
{
    private readonly SmbProber _prober;
    private readonly ScanOptions _options;
    private readonly TimeProvider _time;

    public Scanner(SmbProber prober, ScanOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(prober);
        _prober = prober;
        _options = options ?? new ScanOptions();
        _time = timeProvider ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Concurrency, 1);
        if (_options.RatePerSecond is { } rate && !(rate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "RatePerSecond must be positive.");
        }
    }

    public async IAsyncEnumerable<ServerPosture> ScanAsync(IEnumerable<ScanTarget> targets, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        int concurrency = _options.Concurrency;
        int window = Math.Max(_options.Window ?? Math.Max(4 * concurrency, 256), concurrency);
        using var windowSlots = new SemaphoreSlim(window, window);
        using var probeSlots = new SemaphoreSlim(concurrency, concurrency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Channel<(long Sequence, ServerPosture Posture)> completed = Channel.CreateUnbounded<(long, ServerPosture)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        Task producer = Task.Run(() => ProduceAsync(targets, windowSlots, probeSlots, concurrency, completed.Writer, stop.Token), CancellationToken.None);
        try
        {
            long next = 0;
            var early = new Dictionary<long, ServerPosture>();
            await foreach ((long sequence, ServerPosture posture) in completed.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!_options.PreserveOrder)
                {
                    windowSlots.Release();
                    yield return posture;
                    continue;
                }

                early[sequence] = posture;
                while (early.Remove(next, out ServerPosture? ready))
                {
                    next++;
                    windowSlots.Release();
                    yield return ready;
                }
            }

            await producer.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The consumer stopped early or was cancelled: the producer's cancellation is expected.
            }
        }
    }

    private async Task ProduceAsync(
        IEnumerable<ScanTarget> targets, SemaphoreSlim windowSlots, SemaphoreSlim probeSlots, int concurrency,
        ChannelWriter<(long, ServerPosture)> writer, CancellationToken token)
    {
        try
        {
            var pacer = _options.RatePerSecond is { } rate ? new ScanPacer(rate, _time) : null;
            long sequence = 0;
            foreach (ScanTarget target in targets)
            {
                await windowSlots.WaitAsync(token).ConfigureAwait(false);
                await probeSlots.WaitAsync(token).ConfigureAwait(false);
                if (pacer is not null)
                {
                    await pacer.WaitAsync(token).ConfigureAwait(false);
                }

                _ = ProbeOneAsync(target, sequence++, probeSlots, writer, token);
            }

            // All probes have finished once every slot is free again.
            for (int i = 0; i < concurrency; i++)
            {
                await probeSlots.WaitAsync(token).ConfigureAwait(false);
            }

            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
            throw;
        }
    }

    private async Task ProbeOneAsync(ScanTarget target, long sequence, SemaphoreSlim probeSlots, ChannelWriter<(long, ServerPosture)> writer, CancellationToken token)
    {
        try
        {
            ServerPosture posture;
            try
            {
                posture = await _prober.ProbeAsync(target, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                posture = new ServerPosture
                {
                    Target = target,
                    Error = new ProbeError(ProbeErrorKind.ProtocolError, "probe", $"unexpected {e.GetType().Name}: {e.Message}"),
                };
            }

            writer.TryWrite((sequence, posture));
        }
        catch (OperationCanceledException)
        {
            // Scan cancelled: the producer completes the channel with the cancellation.
        }
        finally
        {
            probeSlots.Release();
        }
    }

    /// <summary>Spaces target starts 1/rate seconds apart on the injected clock (no bursts).</summary>
    private sealed class ScanPacer(double perSecond, TimeProvider time)
    {
        private readonly long _interval = Math.Max(1, (long)(time.TimestampFrequency / perSecond));
        private long _next = long.MinValue;

        public Task WaitAsync(CancellationToken token)
        {
            long now = time.GetTimestamp();
            if (_next == long.MinValue || _next <= now)
            {
                _next = now + _interval;
                return Task.CompletedTask;
            }

            var delay = TimeSpan.FromSeconds((_next - now) / (double)time.TimestampFrequency);
            _next += _interval;
            return Task.Delay(delay, time, token);
        }
    }
}
