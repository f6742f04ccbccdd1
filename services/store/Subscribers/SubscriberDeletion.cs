using CanMesh.Store.Events;

namespace CanMesh.Store.Subscribers;

/// <summary>
/// Subscriber rows to delete, with the event row that records why: written in one transaction, so a
/// subscriber never disappears without its record (ARCHITECTURE.md invariant 4's "nothing silent").
/// </summary>
internal sealed record SubscriberDeletion(IReadOnlyList<string> Names, CaptureEvent Record);
