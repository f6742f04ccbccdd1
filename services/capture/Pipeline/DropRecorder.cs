using CanMesh.Capture.Sources;
using CanMesh.Store.Events;
using CanMesh.Store.Writing;

namespace CanMesh.Capture.Pipeline;

/// <summary>
/// Turns increases of the sources' loss counters into durable event rows, written in the same
/// transaction as the frames around them (ARCHITECTURE.md invariant 4: nothing is lost silently). Sources
/// only add to counters, so the read loops never touch storage. Used by the writer thread only.
/// </summary>
internal sealed class DropRecorder
{
    private readonly IReadOnlyList<FrameSourceContext> _sources;
    private readonly long[] _queueDrops;
    private readonly long[] _kernelDrops;
    private readonly long[] _errorFrames;
    private long[]? _rewind;

    public DropRecorder(IReadOnlyList<FrameSourceContext> sources)
    {
        _sources = sources;
        _queueDrops = new long[sources.Count];
        _kernelDrops = new long[sources.Count];
        _errorFrames = new long[sources.Count];
    }

    /// <summary>Appends an event for every counter that grew since the last call.</summary>
    public void AppendEvents(JournalWriter writer, long nowNs)
    {
        _rewind ??= [.. _queueDrops, .. _kernelDrops, .. _errorFrames];
        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[i];
            var counters = source.Counters;
            Append(writer, nowNs, source.SourceName, counters.QueueDrops, ref _queueDrops[i], CaptureEventKind.QueueOverflow,
                "frames dropped because the capture queue was full (the store could not keep up); raise Capture:Queue:CapacityFrames or use faster storage");
            Append(writer, nowNs, source.SourceName, counters.KernelDrops, ref _kernelDrops[i], CaptureEventKind.KernelDrop,
                "frames dropped by the kernel before they could be read (socket receive queue overflow); raise the interface's ReceiveBuffer");
            // Only a live bus's error frames are bus errors of this capture; a replayed log's were recorded on some
            // bus, some time ago (the simulator makes none).
            if (source.Origin == FrameOrigin.LiveBus)
            {
                Append(writer, nowNs, source.SourceName, counters.ErrorFrames, ref _errorFrames[i], CaptureEventKind.BusError,
                    "error frames received from the CAN controller");
            }
            else
            {
                Append(writer, nowNs, source.SourceName, counters.ErrorFrames, ref _errorFrames[i], CaptureEventKind.ReplayedErrorFrames,
                    "error frames read from a replayed log and stored as frames; they were recorded on a bus earlier, not received from a CAN controller by this capture");
            }
        }
    }

    /// <summary>The transaction holding the appended events committed.</summary>
    public void Confirm() => _rewind = null;

    /// <summary>The transaction holding the appended events rolled back: append them again next time.</summary>
    public void Rewind()
    {
        if (_rewind is null) return;
        var n = _sources.Count;
        _rewind.AsSpan(0, n).CopyTo(_queueDrops);
        _rewind.AsSpan(n, n).CopyTo(_kernelDrops);
        _rewind.AsSpan(2 * n, n).CopyTo(_errorFrames);
        _rewind = null;
    }

    /// <summary>Whether any counter grew since the last <see cref="AppendEvents"/>.</summary>
    public bool HasNews()
    {
        for (var i = 0; i < _sources.Count; i++)
        {
            var c = _sources[i].Counters;
            if (c.QueueDrops != _queueDrops[i] || c.KernelDrops != _kernelDrops[i] || c.ErrorFrames != _errorFrames[i]) return true;
        }
        return false;
    }

    private static void Append(JournalWriter writer, long nowNs, string source, long current, ref long recorded, CaptureEventKind kind, string what)
    {
        var delta = current - recorded;
        if (delta <= 0) return;
        writer.AppendEvent(new CaptureEvent(nowNs, kind, source, delta, $"{delta} {what} (total {current})."));
        recorded = current;
    }
}
