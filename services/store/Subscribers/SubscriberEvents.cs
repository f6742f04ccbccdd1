using CanMesh.Configuration;
using CanMesh.Store.Events;
using CanMesh.Text;

namespace CanMesh.Store.Subscribers;

/// <summary>The event rows that record a subscriber's removal and a pass that forgot subscribers.</summary>
internal static class SubscriberEvents
{
    // A pass may forget many (a script that opened a session per minute): the row stays one readable line.
    private const int MaxNamesListed = 50;

    private const string ComesBackFresh = "One that subscribes again with resume starts from the first stored frame, as a new subscriber does.";

    public static CaptureEvent Removed(SubscriberWatermark removed, long committedSeq, long nowNs)
    {
        var name = PrintableText.Escape(removed.Name);
        var pending = committedSeq > removed.AckedSeq;
        var released = removed.Retains && pending
            ? $"; it retained, so frames seq {removed.AckedSeq + 1}..{committedSeq} it had not acknowledged are no longer kept for it"
            : "";
        return new CaptureEvent(nowNs, CaptureEventKind.SubscriberRemoved, null, 1,
            $"Subscriber {name} removed on request at acked seq {removed.AckedSeq}{released}. {ComesBackFresh}",
            FirstSeq: pending ? removed.AckedSeq + 1 : null, LastSeq: pending ? committedSeq : null);
    }

    public static CaptureEvent Forgotten(IReadOnlyList<SubscriberWatermark> forgotten, TimeSpan idleFor, long nowNs)
    {
        var names = string.Join(", ", forgotten.Take(MaxNamesListed).Select(w => PrintableText.Escape(w.Name)));
        var more = forgotten.Count > MaxNamesListed ? $" and {forgotten.Count - MaxNamesListed} more" : "";
        return new CaptureEvent(nowNs, CaptureEventKind.SubscribersForgotten, null, forgotten.Count,
            $"Forgot {forgotten.Count} non-retaining {(forgotten.Count == 1 ? "subscriber" : "subscribers")} with no stream open for {DurationText.Format(idleFor)} " +
            $"(Store:Subscribers:ForgetAfter): {names}{more}. {ComesBackFresh}");
    }
}
