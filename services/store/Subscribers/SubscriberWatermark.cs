namespace CanMesh.Store.Subscribers;

/// <summary>
/// What a subscriber has acknowledged: every frame with seq &lt;= <see cref="AckedSeq"/> is done for it.
/// A retaining subscriber (the forwarder) holds back retention until it has acknowledged a frame.
/// </summary>
public sealed record SubscriberWatermark(string Name, long AckedSeq, bool Retains, long UpdatedNs);
