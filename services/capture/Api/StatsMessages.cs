using CanMesh.Capture.Stats;
using ProtoStats = CanMesh.Protos.V1.Stats;
using ProtoSourceStats = CanMesh.Protos.V1.SourceStats;

namespace CanMesh.Capture.Api;

/// <summary>Turns the capture's stats snapshot into the API's messages.</summary>
internal static class StatsMessages
{
    public static ProtoStats ToMessage(CaptureStats stats, IReadOnlySet<string> connectedSubscribers)
    {
        var message = new ProtoStats
        {
            AtUnixNs = (stats.At - DateTimeOffset.UnixEpoch).Ticks * 100,
            UptimeSeconds = stats.Uptime.TotalSeconds,
            Queue = new Protos.V1.QueueStats
            {
                DepthFrames = (ulong)stats.Queue.DepthFrames,
                CapacityFrames = (ulong)stats.Queue.CapacityFrames,
                DroppedFrames = (ulong)stats.Queue.DroppedFrames,
            },
            Store = new Protos.V1.StoreStats
            {
                Path = stats.Store.Path,
                CaptureId = stats.Store.CaptureId.ToString("D"),
                CommittedSeq = (ulong)stats.Store.CommittedSeq,
                FirstSeq = (ulong)stats.Store.FirstSeq,
                Rows = (ulong)stats.Store.Rows,
                SizeBytes = (ulong)stats.Store.SizeBytes,
                Commits = (ulong)stats.Store.Commits,
                StoreDrops = (ulong)stats.Store.StoreDrops,
            },
        };
        foreach (var s in stats.Sources) message.Sources.Add(ToMessage(s));
        foreach (var sub in stats.Store.Subscribers)
        {
            message.Store.Subscribers.Add(new Protos.V1.SubscriberStats
            {
                Name = sub.Name,
                AckedSeq = (ulong)sub.AckedSeq,
                Retains = sub.Retains,
                Pending = (ulong)sub.Pending,
                Connected = connectedSubscribers.Contains(sub.Name),
            });
        }
        return message;
    }

    public static ProtoSourceStats ToMessage(SourceStats s) => new()
    {
        Name = s.Name,
        Kind = s.Kind,
        State = s.State.ToString().ToLowerInvariant(),
        StateDetail = s.StateDetail ?? "",
        Frames = (ulong)s.Frames,
        FramesPerSecond = s.FramesPerSecond,
        Bytes = (ulong)s.Bytes,
        KernelDrops = (ulong)s.KernelDrops,
        QueueDrops = (ulong)s.QueueDrops,
        ErrorFrames = (ulong)s.ErrorFrames,
        Malformed = (ulong)s.Malformed,
        Faults = (ulong)s.Faults,
    };
}
