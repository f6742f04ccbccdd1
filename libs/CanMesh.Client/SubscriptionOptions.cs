using CanMesh.Protos.V1;

namespace CanMesh.Client;

/// <summary>What a <see cref="Subscription"/> asks the capture service for, and how it reconnects.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>1-64 characters of [A-Za-z0-9_.-]: the capture service keeps the watermark under this name.</summary>
    public required string Subscriber { get; init; }

    /// <summary>Where the first stream starts. Every reconnect resumes after the stored watermark.</summary>
    public SubscriptionStart From { get; init; } = SubscriptionStart.Resume;

    /// <summary>Hold back retention until this subscriber has acknowledged (the forwarder does).</summary>
    public bool Retain { get; init; }

    /// <summary>Only these frames; null for all. Acknowledge <c>through_seq</c> so filtered-out frames do not hold retention.</summary>
    public FrameFilter? Filter { get; init; }

    /// <summary>Most frames per batch; 0 for the server's default (1024). The server allows at most 16384.</summary>
    public int MaxBatchFrames { get; init; }

    /// <summary>Upper bound of the first reconnect delay. Delays double per failed attempt, with full jitter.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of the reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Where a subscription's first stream starts.</summary>
public readonly record struct SubscriptionStart
{
    private SubscriptionStart(SubscribeStart.FromOneofCase kind, ulong afterSeq)
    {
        Kind = kind;
        Seq = afterSeq;
    }

    /// <summary>Right after this subscriber's acknowledged watermark (from the first stored frame if it has none).</summary>
    public static SubscriptionStart Resume => new(SubscribeStart.FromOneofCase.Resume, 0);

    /// <summary>Only frames committed after the subscription started.</summary>
    public static SubscriptionStart Live => new(SubscribeStart.FromOneofCase.Live, 0);

    /// <summary>The frames after <paramref name="seq"/>.</summary>
    public static SubscriptionStart AfterSeq(ulong seq) => new(SubscribeStart.FromOneofCase.AfterSeq, seq);

    internal SubscribeStart.FromOneofCase Kind { get; }

    internal ulong Seq { get; }

    internal void ApplyTo(SubscribeStart start)
    {
        switch (Kind)
        {
            case SubscribeStart.FromOneofCase.Live: start.Live = true; break;
            case SubscribeStart.FromOneofCase.AfterSeq: start.AfterSeq = Seq; break;
            default: start.Resume = true; break;
        }
    }

    public override string ToString() => Kind switch
    {
        SubscribeStart.FromOneofCase.Live => "live",
        SubscribeStart.FromOneofCase.AfterSeq => $"after seq {Seq}",
        _ => "resume",
    };
}
