namespace CanMesh.Store;

/// <summary>Where and how the capture database is kept (the Store section of the configuration).</summary>
public sealed record StoreSettings
{
    public required string Path { get; init; }

    /// <summary>
    /// FULL: a committed frame survives power loss. NORMAL: it survives a crash of the process but the
    /// last commits may be lost on power loss; faster on slow SD cards.
    /// </summary>
    public SynchronousMode Synchronous { get; init; } = SynchronousMode.Full;

    public RetentionSettings Retention { get; init; } = new();

    public SubscriberSettings Subscribers { get; init; } = new();
}

public enum SynchronousMode
{
    Full,
    Normal,
}

/// <summary>
/// When old frames are deleted. Frames a retaining subscriber (the forwarder) has not acknowledged are
/// kept regardless of age; only the disk budget can evict them, and then the evicted seq range is
/// recorded (ARCHITECTURE.md invariant 5).
/// </summary>
public sealed record RetentionSettings
{
    /// <summary>Delete acknowledged frames older than this; null keeps them until the disk budget needs the space.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Most bytes the frames may use in the database; null for no budget.</summary>
    public long? MaxBytes { get; init; }

    /// <summary>Evict, oldest first, when the file system's free space falls under this.</summary>
    public long MinFreeDiskBytes { get; init; } = 64L << 20;

    /// <summary>How often retention runs.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames deleted per transaction, so eviction never holds the writer for long.</summary>
    public int DeleteChunk { get; init; } = 50_000;
}

/// <summary>What becomes of subscribers' watermarks (the Store:Subscribers section).</summary>
public sealed record SubscriberSettings
{
    /// <summary>
    /// Forget a subscriber that does not retain once it has had no stream open this long (counted while the
    /// capture runs); null never forgets. Live views and one-off tool sessions would otherwise stay in the
    /// stats for ever. Retaining subscribers (the forwarder) are only removed on request.
    /// </summary>
    public TimeSpan? ForgetAfter { get; init; } = TimeSpan.FromHours(1);
}
