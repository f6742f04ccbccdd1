using System.Text.Json;
using CanMesh.Protos.V1;

namespace CanMesh.Cli.Rendering;

/// <summary>
/// The stats as one JSON object on one line (status --json; with --watch one line per interval). Field names are
/// the proto's (snake_case) and every counter is a JSON number, not the proto3 JSON mapping's quoted 64-bit string,
/// so jq and scripts compare them directly. The shape is documented in the README; add fields, never rename them.
/// </summary>
internal static class StatsJson
{
    public static void Write(Stream output, Stats stats, IReadOnlyDictionary<string, uint> bitrates)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("at", DateTimeOffset.UnixEpoch.AddTicks(stats.AtUnixNs / 100));
        json.WriteNumber("at_unix_ns", stats.AtUnixNs);
        json.WriteNumber("uptime_seconds", stats.UptimeSeconds);
        json.WriteStartArray("sources");
        foreach (var source in stats.Sources)
        {
            json.WriteStartObject();
            json.WriteString("name", source.Name);
            json.WriteString("kind", source.Kind);
            json.WriteString("state", source.State);
            json.WriteString("state_detail", source.StateDetail);
            json.WriteNumber("bitrate", bitrates.GetValueOrDefault(source.Name));
            json.WriteNumber("frames", source.Frames);
            json.WriteNumber("frames_per_second", source.FramesPerSecond);
            json.WriteNumber("bytes", source.Bytes);
            json.WriteNumber("kernel_drops", source.KernelDrops);
            json.WriteNumber("queue_drops", source.QueueDrops);
            json.WriteNumber("error_frames", source.ErrorFrames);
            json.WriteNumber("malformed", source.Malformed);
            json.WriteNumber("faults", source.Faults);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        var queue = stats.Queue ?? new QueueStats();
        json.WriteStartObject("queue");
        json.WriteNumber("depth_frames", queue.DepthFrames);
        json.WriteNumber("capacity_frames", queue.CapacityFrames);
        json.WriteNumber("dropped_frames", queue.DroppedFrames);
        json.WriteEndObject();
        var store = stats.Store ?? new StoreStats();
        json.WriteStartObject("store");
        json.WriteString("path", store.Path);
        json.WriteString("capture_id", store.CaptureId);
        json.WriteNumber("committed_seq", store.CommittedSeq);
        json.WriteNumber("first_seq", store.FirstSeq);
        json.WriteNumber("rows", store.Rows);
        json.WriteNumber("size_bytes", store.SizeBytes);
        json.WriteNumber("commits", store.Commits);
        json.WriteNumber("store_drops", store.StoreDrops);
        json.WriteEndObject();
        json.WriteStartArray("subscribers");
        foreach (var subscriber in store.Subscribers)
        {
            WriteSubscriber(json, subscriber);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>The subscribers alone, one JSON array on one line (subscribers --json).</summary>
    public static void WriteSubscribers(Stream output, IEnumerable<SubscriberStats> subscribers)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartArray();
        foreach (var subscriber in subscribers) WriteSubscriber(json, subscriber);
        json.WriteEndArray();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteSubscriber(Utf8JsonWriter json, SubscriberStats subscriber)
    {
        json.WriteStartObject();
        json.WriteString("name", subscriber.Name);
        json.WriteNumber("acked_seq", subscriber.AckedSeq);
        json.WriteNumber("pending", subscriber.Pending);
        json.WriteBoolean("retains", subscriber.Retains);
        json.WriteBoolean("connected", subscriber.Connected);
        json.WriteEndObject();
    }
}
