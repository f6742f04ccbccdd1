using CanMesh.Protos.V1;

namespace CanMesh.Flipper.Status;

/// <summary>Whether the forwarder's subscriber is known to the capture service, and connected.</summary>
internal enum ForwarderState
{
    None,
    Connected,
    Disconnected,
}

/// <summary>One interface as the STATS line shows it.</summary>
internal sealed record InterfaceState(string Name, string State);

/// <summary>
/// What the STATS line is built from: the capture's last stats reduced to the numbers a person at the bus wants,
/// and whether the capture service answers now. Immutable, so the UART loop reads it without a lock.
/// </summary>
internal sealed record CaptureStatus
{
    public static readonly CaptureStatus Unknown = new();

    public bool CaptureUp { get; init; }

    /// <summary>Frames stored: the store's committed seq.</summary>
    public ulong Total { get; init; }

    /// <summary>Frames PostgreSQL holds: the forwarder's acknowledged seq (0 without a forwarder).</summary>
    public ulong Processed { get; init; }

    /// <summary>Frames stored but not yet in PostgreSQL.</summary>
    public ulong Pending { get; init; }

    public double FramesPerSecond { get; init; }

    public IReadOnlyList<InterfaceState> Interfaces { get; init; } = [];

    /// <summary>Frames lost before the store: kernel and queue drops of every source, and the store's own drops.</summary>
    public ulong Drops { get; init; }

    public ForwarderState Forwarder { get; init; }

    /// <summary>The numbers from a Stats message of the capture service.</summary>
    public static CaptureStatus From(Stats stats, string forwarderSubscriber)
    {
        var store = stats.Store ?? new StoreStats();
        var forwarder = store.Subscribers.FirstOrDefault(s => string.Equals(s.Name, forwarderSubscriber, StringComparison.Ordinal));
        var total = store.CommittedSeq;
        // A watermark from before a store reset could exceed the total; never show a negative backlog.
        var processed = forwarder is null ? 0 : Math.Min(forwarder.AckedSeq, total);
        ulong drops = store.StoreDrops;
        foreach (var source in stats.Sources) drops += source.KernelDrops + source.QueueDrops;
        return new CaptureStatus
        {
            CaptureUp = true,
            Total = total,
            Processed = processed,
            Pending = total - processed,
            FramesPerSecond = stats.Sources.Sum(s => s.FramesPerSecond),
            Interfaces = stats.Sources.Select(s => new InterfaceState(s.Name, s.State)).ToArray(),
            Drops = drops,
            Forwarder = forwarder is null ? ForwarderState.None : forwarder.Connected ? ForwarderState.Connected : ForwarderState.Disconnected,
        };
    }

    /// <summary>The last known numbers, marked down: no rate can be known while the capture does not answer.</summary>
    public CaptureStatus Down() => this with { CaptureUp = false, FramesPerSecond = 0 };
}
