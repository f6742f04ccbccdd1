namespace CanMesh.Store.Events;

/// <summary>
/// One durable row of the events table: something that happened to the capture, with a count where
/// it is about frames, and the seq range it concerns where there is one (evictions).
/// </summary>
/// <param name="TimestampNs">When it happened, ns since the Unix epoch (UTC).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Source">The source or interface it concerns, or null for the whole capture.</param>
/// <param name="Count">How many frames or lines it concerns (1 for single occurrences).</param>
/// <param name="Message">What a person reading the table needs to know.</param>
/// <param name="FirstSeq">First seq concerned, for evictions.</param>
/// <param name="LastSeq">Last seq concerned, for evictions.</param>
public sealed record CaptureEvent(
    long TimestampNs,
    CaptureEventKind Kind,
    string? Source,
    long Count,
    string Message,
    long? FirstSeq = null,
    long? LastSeq = null);
