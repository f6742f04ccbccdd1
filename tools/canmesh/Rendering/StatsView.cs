using CanMesh.Protos.V1;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CanMesh.Cli.Rendering;

/// <summary>
/// The capture's stats as status shows them: a header line, then sources, store and queue, and subscribers as
/// tables. Numbers a person acts on (drops, error frames, faults, lag of a retaining subscriber) are coloured
/// when non-zero on a terminal; in a pipe the text is the same without colour.
/// </summary>
internal static class StatsView
{
    /// <param name="bitrates">Bitrate by source name (ListInterfaces), shown where known.</param>
    public static IRenderable Render(Stats stats, IReadOnlyDictionary<string, uint> bitrates) => new Rows(
        new Markup(Markup.Escape(Header(stats))),
        Sources(stats, bitrates),
        Store(stats),
        Subscribers(stats.Store?.Subscribers ?? []));

    public static string Header(Stats stats)
    {
        var store = stats.Store ?? new StoreStats();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(stats.AtUnixNs / 1_000_000).ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return $"canmesh capture {store.CaptureId}, up {Numbers.Uptime(stats.UptimeSeconds)}, committed seq {store.CommittedSeq} (at {at})";
    }

    public static Table Sources(Stats stats, IReadOnlyDictionary<string, uint> bitrates)
    {
        var table = Terminal.NewTable("sources")
            .AddColumn("name").AddColumn("kind").AddColumn("state").AddColumn("bitrate", Right)
            .AddColumn("frames", Right).AddColumn("fps", Right).AddColumn("kernel drops", Right).AddColumn("queue drops", Right)
            .AddColumn("error frames", Right).AddColumn("malformed", Right).AddColumn("faults", Right);
        foreach (var source in stats.Sources)
        {
            var state = string.IsNullOrEmpty(source.StateDetail) ? source.State : $"{source.State}: {source.StateDetail}";
            table.AddRow(
                Cell(source.Name),
                Cell(source.Kind),
                new Markup(Markup.Escape(state), source.State is "faulted" or "waiting" ? Warning : Style.Plain),
                Cell(Numbers.Bitrate(bitrates.GetValueOrDefault(source.Name))),
                Cell(Numbers.Count(source.Frames)),
                Cell(Numbers.Rate(source.FramesPerSecond)),
                Alarm(source.KernelDrops),
                Alarm(source.QueueDrops),
                Alarm(source.ErrorFrames),
                Alarm(source.Malformed),
                Alarm(source.Faults));
        }
        return table;
    }

    public static Table Store(Stats stats)
    {
        var store = stats.Store ?? new StoreStats();
        var queue = stats.Queue ?? new QueueStats();
        return Terminal.NewTable("store")
            .AddColumn("path").AddColumn("first seq", Right).AddColumn("committed seq", Right).AddColumn("rows", Right)
            .AddColumn("size", Right).AddColumn("commits", Right).AddColumn("store drops", Right)
            .AddColumn("queue", Right).AddColumn("queue drops", Right)
            .AddRow(
                Cell(store.Path),
                Cell(store.FirstSeq.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Cell(store.CommittedSeq.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Cell(Numbers.Count(store.Rows)),
                Cell(Numbers.Bytes(store.SizeBytes)),
                Cell(Numbers.Count(store.Commits)),
                Alarm(store.StoreDrops),
                Cell($"{Numbers.Count(queue.DepthFrames)} / {Numbers.Count(queue.CapacityFrames)}"),
                Alarm(queue.DroppedFrames));
    }

    public static Table Subscribers(IEnumerable<SubscriberStats> subscribers)
    {
        var table = Terminal.NewTable("subscribers")
            .AddColumn("name").AddColumn("acked seq", Right).AddColumn("lag (pending)", Right).AddColumn("retains").AddColumn("connected");
        foreach (var subscriber in subscribers.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            // Lag matters where it holds retention: a retaining subscriber that falls behind keeps the disk filling.
            var lag = new Markup(Markup.Escape(Numbers.Count(subscriber.Pending)), subscriber.Retains && subscriber.Pending > 0 ? Warning : Style.Plain);
            table.AddRow(
                Cell(subscriber.Name),
                Cell(subscriber.AckedSeq.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                lag,
                Cell(subscriber.Retains ? "yes" : "no"),
                Cell(subscriber.Connected ? "yes" : "no"));
        }
        if (table.Rows.Count == 0) table.AddRow(Cell("(none)"), Cell(""), Cell(""), Cell(""), Cell(""));
        return table;
    }

    private static readonly Style Warning = new(Color.Yellow);
    private static readonly Style Bad = new(Color.Red);

    private static void Right(TableColumn column) => column.RightAligned();

    private static Spectre.Console.Text Cell(string value) => new(value);

    private static Markup Alarm(ulong value) => new(Numbers.Count(value), value > 0 ? Bad : Style.Plain);
}
