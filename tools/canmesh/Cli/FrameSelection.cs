using System.CommandLine;
using CanMesh.Client;
using CanMesh.Protos.V1;

namespace CanMesh.Cli;

/// <summary>
/// Which frames a live verb (dump, top) asks for: interfaces, id ranges and where to start. Filtering happens in
/// the capture service (FrameFilter), so a narrow filter on a busy bus costs the socket nothing.
/// </summary>
internal sealed class FrameSelection
{
    private readonly Option<string[]> _interfaces = new("--iface", "-i")
    {
        Description = "Only frames of this interface (repeat, or comma-separate, for several; default all).",
        HelpName = "NAME",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _ids = new("--id")
    {
        Description = "Only these CAN ids, hex as in candump filters: 123, 100-1FF, 7DF,7E0-7EF (inclusive; default all).",
        HelpName = "RANGES",
    };

    private readonly Option<string?> _afterSeq = WholeNumberOption.Create("--after-seq", "",
        "Start with the stored frames after this seq (0: every stored frame) instead of only new ones.", "SEQ");

    public void AddTo(Command command)
    {
        command.Options.Add(_interfaces);
        command.Options.Add(_ids);
        command.Options.Add(_afterSeq);
    }

    /// <summary>The subscription for <paramref name="subscriber"/>, or false with one line saying what is wrong.</summary>
    public bool TryCreate(ParseResult parse, string subscriber, out SubscriptionOptions options, out string error)
    {
        options = null!;
        var filter = new FrameFilter();
        foreach (var value in parse.GetValue(_interfaces) ?? [])
        {
            filter.Interfaces.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        if (!WholeNumberOption.TryGet(parse, _afterSeq, 0, out var afterSeq, out error)) return false;
        if (parse.GetValue(_ids) is { } ids)
        {
            if (!IdRanges.TryParse(ids, out var ranges, out error)) return false;
            filter.IdRanges.AddRange(ranges);
        }
        error = "";
        options = new SubscriptionOptions
        {
            Subscriber = subscriber,
            // A viewer must never hold back retention: frames it has not seen are not its to keep.
            Retain = false,
            From = afterSeq is { } seq ? SubscriptionStart.AfterSeq(seq) : SubscriptionStart.Live,
            Filter = filter,
        };
        return true;
    }

    /// <summary>A subscriber name that says who is watching: the service lists it while the verb runs.</summary>
    public static string SubscriberName(string verb) => $"canmesh-{verb}-{Environment.ProcessId}";
}
