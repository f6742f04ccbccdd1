using System.Globalization;

namespace CanMesh.Bench.Capture;

/// <summary>
/// Watches memory while a run goes on, from its own thread, every few milliseconds: the GC heap's peak and
/// (committed frames, allocated bytes) pairs, from which the steady-state allocation per frame is taken.
/// Peak RSS comes from the kernel's own high-water mark (VmHWM), which it resets when asked.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);
    private readonly Func<long> _progress;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    // Preallocated so that sampling itself allocates nothing during the run.
    private readonly long[] _frames = new long[200_000];
    private readonly long[] _allocated = new long[200_000];
    private int _samples;

    public MemorySampler(Func<long> progress)
    {
        _progress = progress;
        PeakRssIsPerRun = TryResetPeakRss();
        _thread = new Thread(Sample) { Name = "bench memory sampler", IsBackground = true };
        _thread.Start();
    }

    public long PeakGcHeapBytes { get; private set; }
    public bool PeakRssIsPerRun { get; }

    public void Stop()
    {
        _stop.Set();
        _thread.Join();
    }

    /// <summary>Bytes allocated per frame between the first sample past half the frames and the last sample.</summary>
    public double SteadyAllocatedPerFrame(long totalFrames)
    {
        var first = -1;
        for (var i = 0; i < _samples; i++)
        {
            if (_frames[i] >= totalFrames / 2) { first = i; break; }
        }
        var last = _samples - 1;
        if (first < 0 || last <= first || _frames[last] <= _frames[first]) return double.NaN;
        return (double)(_allocated[last] - _allocated[first]) / (_frames[last] - _frames[first]);
    }

    private void Sample()
    {
        do
        {
            var heap = GC.GetTotalMemory(forceFullCollection: false);
            if (heap > PeakGcHeapBytes) PeakGcHeapBytes = heap;
            if (_samples < _frames.Length)
            {
                _frames[_samples] = _progress();
                _allocated[_samples] = GC.GetTotalAllocatedBytes(precise: false);
                _samples++;
            }
        }
        while (!_stop.Wait(Interval));
    }

    /// <summary>Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later), so each run reports its own peak.</summary>
    private static bool TryResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>VmHWM from /proc/self/status, in bytes (0 where there is no /proc).</summary>
    public static long ReadPeakRssBytes() => ReadStatusKilobytes("VmHWM:") * 1024;

    private static long ReadStatusKilobytes(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
                var value = line[key.Length..].Trim();
                var space = value.IndexOf(' ', StringComparison.Ordinal);
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    public void Dispose()
    {
        if (!_stop.IsSet) Stop();
        _stop.Dispose();
    }
}
