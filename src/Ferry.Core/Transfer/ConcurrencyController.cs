namespace Ferry.Core.Transfer;

/// <summary>
/// How many requests a run keeps in flight. A gate (<see cref="AcquireAsync"/>/<see cref="Release"/>)
/// admits at most <see cref="Limit"/> at once, and the limit moves by what the run observes:
/// <list type="bullet">
/// <item>At the end of each measuring window (<see cref="EndWindow(TimeSpan)"/>), if the gate was full (the
/// limit, not the supply of work, held the run back) and throughput rose by at least
/// <see cref="GainToGrow"/> since the limit was last raised, it is raised again by a quarter (at
/// least one), up to the cap. Without that gain the raise is undone (requests that add nothing
/// only cost memory and server work) and the limit is probed again after <see cref="ProbeInterval"/>
/// windows.</item>
/// <item>On congestion — 503 SlowDown, a timeout, a reset connection (<see cref="OnCongestion"/>) —
/// the limit is halved at once (at most once per window, never below the minimum), and growth
/// waits a probe interval.</item>
/// </list>
/// Far-away links, where each request mostly waits on the round trip, therefore climb towards the
/// cap; loopback and capped links, where more requests in flight add nothing, stay near the start.
/// Every decision depends only on the counts and durations passed in, so it is tested without clocks.
/// </summary>
public sealed class ConcurrencyController
{
    /// <summary>The relative throughput gain that justifies another raise.</summary>
    public const double GainToGrow = 1.10;

    /// <summary>Windows to hold a limit that gave no gain (or followed congestion) before probing higher again.</summary>
    public const int ProbeInterval = 8;

    /// <summary>How often <see cref="RunWindowsAsync"/> measures throughput and decides.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    /// <summary>A window with fewer completions than requests in flight stays open up to this long.</summary>
    public static readonly TimeSpan LongestWindow = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _limit;
    private int _inFlight;

    // The current window.
    private long _windowRequests;
    private long _windowBytes;
    private int _windowPeak;
    private bool _windowCongested;

    // The last measurement the next one is compared with, and the limit it was taken at.
    private Measurement? _baseline;
    private int _holdWindows;
    private int _backoffs;

    /// <param name="initial">Requests in flight at the start.</param>
    /// <param name="minimum">Never fewer than this, however congested.</param>
    /// <param name="maximum">The cap (connections, memory); equal to <paramref name="initial"/> for a fixed limit.</param>
    public ConcurrencyController(int initial, int minimum, int maximum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        Minimum = minimum;
        Maximum = maximum;
        _limit = Math.Clamp(initial, minimum, maximum);
    }

    public int Minimum { get; }

    public int Maximum { get; }

    /// <summary>False when the limit cannot move (minimum equals maximum).</summary>
    public bool IsAdaptive => Maximum > Minimum;

    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>How many times congestion lowered the limit.</summary>
    public int Backoffs
    {
        get
        {
            lock (_lock)
            {
                return _backoffs;
            }
        }
    }

    /// <summary>Called whenever the limit changes (for progress displays); runs under no lock.</summary>
    public Action<int>? LimitChanged { get; set; }

    /// <summary>Waits for a slot under the limit, in arrival order.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource signal;
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _inFlight < _limit)
            {
                Admit();
                return;
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(signal);
        }

        await QueuedWaiter.WaitAsync(_lock, node, signal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Frees a slot; <paramref name="completedRequests"/> and <paramref name="bytes"/> count towards this window's throughput.</summary>
    public void Release(long completedRequests, long bytes)
    {
        lock (_lock)
        {
            _inFlight--;
            _windowRequests += completedRequests;
            _windowBytes += bytes;
            WakeWaiters();
        }
    }

    /// <summary>The store pushed back (throttling, timeout, reset): halve the limit, once per window.</summary>
    public void OnCongestion()
    {
        int limit;
        lock (_lock)
        {
            if (_windowCongested || !IsAdaptive)
            {
                _windowCongested = true;
                return;
            }

            _windowCongested = true;
            _backoffs++;
            _limit = Math.Max(Minimum, _limit / 2);
            _baseline = null;
            _holdWindows = ProbeInterval;
            limit = _limit;
        }

        LimitChanged?.Invoke(limit);
    }

    /// <summary>
    /// Closes the measuring window that has lasted <paramref name="elapsed"/> and decides the limit for
    /// the next — unless it has seen fewer than <see cref="Limit"/> completed requests and is shorter
    /// than <paramref name="longest"/>: then it stays open (a window of a few large files says nothing)
    /// and false is returned.
    /// </summary>
    public bool EndWindow(TimeSpan elapsed, TimeSpan longest)
    {
        int before, after;
        lock (_lock)
        {
            if (_windowRequests < _limit && elapsed < longest && !_windowCongested)
            {
                return false;
            }

            before = _limit;
            Decide(elapsed);
            after = _limit;
            _windowRequests = 0;
            _windowBytes = 0;
            _windowPeak = _inFlight;
            _windowCongested = false;
            WakeWaiters();
        }

        if (after != before)
        {
            LimitChanged?.Invoke(after);
        }

        return true;
    }

    /// <summary>
    /// Closes a measuring window every <see cref="Window"/> (longer while it has too few completions, up to
    /// <see cref="LongestWindow"/>) until <paramref name="cancellationToken"/> ends the run; returns at once for a fixed limit.
    /// </summary>
    public async Task RunWindowsAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsAdaptive)
        {
            return;
        }

        var started = time.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Window, time, cancellationToken).ConfigureAwait(false);
                if (EndWindow(time.GetElapsedTime(started), LongestWindow))
                {
                    started = time.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    /// <summary>Closes the window unconditionally (see <see cref="EndWindow(TimeSpan, TimeSpan)"/>) and returns the limit now in force.</summary>
    public int EndWindow(TimeSpan elapsed)
    {
        EndWindow(elapsed, TimeSpan.Zero);
        return Limit;
    }

    private void Decide(TimeSpan elapsed)
    {
        if (!IsAdaptive || _windowCongested || elapsed <= TimeSpan.Zero)
        {
            return;
        }

        // Only a window in which the limit was the bottleneck says anything about a higher limit.
        if (_windowPeak < _limit || _windowRequests == 0)
        {
            return;
        }

        var now = new Measurement(_limit, _windowRequests / elapsed.TotalSeconds, _windowBytes / elapsed.TotalSeconds);
        if (_holdWindows > 0)
        {
            _holdWindows--;
            _baseline = now;
            return;
        }

        if (_baseline is not { } last)
        {
            _baseline = now;
            Grow();
            return;
        }

        var gain = Gain(now, last);
        if (now.Limit > last.Limit)
        {
            if (gain >= GainToGrow)
            {
                _baseline = now;
                Grow();
            }
            else
            {
                _limit = Math.Max(Minimum, last.Limit);
                _holdWindows = ProbeInterval;
            }

            return;
        }

        // The hold (after a plateau or a backoff) is over: probe one step higher.
        _baseline = now;
        Grow();
    }

    private void Grow() => _limit = Math.Min(Maximum, _limit + Math.Max(1, _limit / 4));

    /// <summary>Requests per second for small objects, bytes per second for large ones: whichever rose more.</summary>
    private static double Gain(Measurement now, Measurement last)
    {
        var requests = last.RequestsPerSecond > 0 ? now.RequestsPerSecond / last.RequestsPerSecond : 1;
        var bytes = last.BytesPerSecond > 0 ? now.BytesPerSecond / last.BytesPerSecond : 1;
        return Math.Max(requests, bytes);
    }

    private void Admit()
    {
        _inFlight++;
        _windowPeak = Math.Max(_windowPeak, _inFlight);
    }

    private void WakeWaiters()
    {
        while (_inFlight < _limit && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            Admit();
            first.Value.TrySetResult();
        }
    }

    private readonly record struct Measurement(int Limit, double RequestsPerSecond, double BytesPerSecond);
}
