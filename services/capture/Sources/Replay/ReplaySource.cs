using CanMesh.Candump;
using CanMesh.Capture.Configuration;
using CanMesh.Frames;
using CanMesh.Store.Events;
using CanMesh.Text;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Sources.Replay;

/// <summary>
/// Plays a candump log back into the pipeline: as fast as possible, or at the pace it was recorded,
/// once or in a loop. Frames keep the log's interface names (as canplayer does without a mapping).
/// A malformed line is logged with file and line, recorded as an event, counted, and skipped.
/// </summary>
public sealed class ReplaySource : IFrameSource
{
    /// <summary>Malformed lines reported one by one per pass; beyond that only counted, and summed up at the end.</summary>
    public const int ReportedMalformedLinesPerPass = 100;

    private readonly ReplaySettings _settings;

    public ReplaySource(string name, ReplaySettings settings)
    {
        Name = name;
        _settings = settings;
    }

    public string Name { get; }
    public string Kind => "replay";
    public FrameOrigin Origin => FrameOrigin.File;

    public void Run(FrameSourceContext context, CancellationToken stopping)
    {
        var time = context.Time;
        long passOffsetNs = 0;
        long? firstRecordedNs = null;
        var startTicks = time.GetTimestamp();
        var startNs = NowNs(time);
        long lastRecordedNs = 0;
        var pass = 0;
        // Skipped lines arrive escaped (CandumpSkippedLine); the path this source prints itself is escaped here.
        var shownPath = PrintableText.Escape(_settings.Path, PrintableText.MaxPathLength);

        while (!stopping.IsCancellationRequested)
        {
            pass++;
            var reported = 0;
            long unreported = 0;
            using (var reader = CandumpLogReader.OpenFile(_settings.Path, context.ResolveInterface, skipped =>
                   {
                       if (skipped.Kind == CandumpSkipKind.Malformed) context.Counters.AddMalformed(1);
                       if (reported++ < ReportedMalformedLinesPerPass)
                       {
                           context.Logger.LogWarning("Skipped {Line}", skipped.ToString());
                           context.RecordEvent(skipped.Kind == CandumpSkipKind.Malformed ? CaptureEventKind.Malformed : CaptureEventKind.KernelDrop,
                               skipped.ToString());
                       }
                       else unreported++;
                   }))
            {
                while (!stopping.IsCancellationRequested)
                {
                    var batch = context.Batches.Rent();
                    if (reader.ReadBatch(batch) == 0)
                    {
                        context.Batches.Return(batch);
                        break;
                    }
                    var frames = batch.Frames;
                    firstRecordedNs ??= frames[0].TimestampNs;
                    lastRecordedNs = frames[^1].TimestampNs;
                    var timeline = new Timeline(firstRecordedNs.Value, passOffsetNs, startNs, startTicks, _settings.Retime);
                    if (_settings.Pace == ReplayPace.Recorded)
                    {
                        if (!SubmitPaced(batch, timeline, context, stopping)) break;
                    }
                    else
                    {
                        if (_settings.Retime) foreach (ref var frame in frames) frame.TimestampNs = timeline.Retimed(frame.TimestampNs);
                        context.Submit(batch);
                    }
                }
                if (unreported > 0)
                {
                    context.RecordEvent(CaptureEventKind.Malformed, $"{unreported} more malformed lines skipped in {shownPath} (pass {pass}); only the first {ReportedMalformedLinesPerPass} are reported one by one.", unreported);
                }
                if (reader.FramesRead == 0 && reader.EndOfLog)
                {
                    context.Logger.LogWarning("Replay of {Path} found no frames ({Malformed} malformed lines).", shownPath, reader.MalformedLines);
                    if (_settings.Loop) stopping.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                }
                context.Logger.LogInformation("Replay {Name}: pass {Pass} of {Path} read {Frames} frames, skipped {Malformed} malformed lines.",
                    Name, pass, shownPath, reader.FramesRead, reader.MalformedLines);
            }
            if (!_settings.Loop) break;
            // The next pass continues the timeline one typical frame gap after this one's last frame.
            passOffsetNs += (firstRecordedNs is { } first ? lastRecordedNs - first : 0) + 1_000;
        }
    }

    /// <summary>
    /// Hands frames over as they fall due, each group of due frames in its own batch, so a recorded gap
    /// of seconds is a gap of seconds on the way out too. False if stopped meanwhile.
    /// </summary>
    private static bool SubmitPaced(FrameBatch batch, Timeline timeline, FrameSourceContext context, CancellationToken stopping)
    {
        var time = context.Time;
        var pending = context.Batches.Rent();
        try
        {
            foreach (ref readonly var frame in batch.Frames)
            {
                var remaining = timeline.Remaining(frame.TimestampNs, time);
                if (remaining > TimeSpan.FromMilliseconds(1))
                {
                    if (pending.Count > 0)
                    {
                        context.Submit(pending);
                        pending = context.Batches.Rent();
                    }
                    while (remaining > TimeSpan.Zero)
                    {
                        if (stopping.WaitHandle.WaitOne(remaining > TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : remaining)) return false;
                        remaining = timeline.Remaining(frame.TimestampNs, time);
                    }
                }
                ref var copy = ref pending.Append();
                copy = frame;
                copy.TimestampNs = timeline.Retimed(frame.TimestampNs);
            }
            context.Submit(pending);
            pending = null!;
            return true;
        }
        finally
        {
            if (pending is not null) context.Batches.Return(pending);
            context.Batches.Return(batch);
        }
    }

    /// <summary>Maps recorded timestamps to the replay's own timeline (pass offsets for loops, retiming).</summary>
    private readonly record struct Timeline(long FirstRecordedNs, long PassOffsetNs, long StartNs, long StartTicks, bool Retime)
    {
        public long OffsetNs(long recordedNs) => recordedNs - FirstRecordedNs + PassOffsetNs;

        public long Retimed(long recordedNs) => Retime ? StartNs + OffsetNs(recordedNs) : recordedNs;

        public TimeSpan Remaining(long recordedNs, TimeProvider time) =>
            TimeSpan.FromTicks(OffsetNs(recordedNs) / 100) - time.GetElapsedTime(StartTicks);
    }

    private static long NowNs(TimeProvider time) => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
}
