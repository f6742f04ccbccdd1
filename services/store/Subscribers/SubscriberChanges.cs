namespace CanMesh.Store.Subscribers;

/// <summary>
/// Changes to the subscribers table that are not committed yet, kept so that applying them in a fixed
/// order (every deletion, then every watermark) gives the same table as applying them in the order they
/// were made: a deletion cancels the watermarks before it, and a watermark after a deletion is the first
/// row of a new subscriber of that name, written after the delete rather than merged with the old row.
/// Not thread-safe: <see cref="Writing.StagedWrites"/> guards it.
/// </summary>
internal sealed class SubscriberChanges
{
    private readonly List<SubscriberDeletion> _deletions = [];
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SubscriberWatermark> _watermarks = new(StringComparer.Ordinal);

    public bool IsEmpty => _deletions.Count == 0 && _watermarks.Count == 0;

    /// <summary>In the order made; each is written with its event row.</summary>
    public IReadOnlyList<SubscriberDeletion> Deletions => _deletions;

    /// <summary>The newest watermark of each subscriber since its last deletion, if any.</summary>
    public IEnumerable<SubscriberWatermark> Watermarks => _watermarks.Values;

    /// <summary>A watermark never moves backwards: the higher ack is kept, with the newer retain flag and time.</summary>
    public void Save(SubscriberWatermark watermark)
    {
        _watermarks[watermark.Name] = Merge(_watermarks.GetValueOrDefault(watermark.Name), watermark);
    }

    public void Delete(SubscriberDeletion deletion)
    {
        _deletions.Add(deletion);
        foreach (var name in deletion.Names)
        {
            _deleted.Add(name);
            _watermarks.Remove(name);
        }
    }

    /// <summary>Adds <paramref name="later"/>'s changes, made after every change held here.</summary>
    public void Append(SubscriberChanges later)
    {
        foreach (var deletion in later._deletions) Delete(deletion);
        foreach (var watermark in later._watermarks.Values) Save(watermark);
    }

    /// <summary>Applies the changes to rows read from the table, as the writer will apply them to the table.</summary>
    public void ApplyTo(Dictionary<string, SubscriberWatermark> rows)
    {
        foreach (var name in _deleted) rows.Remove(name);
        foreach (var watermark in _watermarks.Values) rows[watermark.Name] = Merge(rows.GetValueOrDefault(watermark.Name), watermark);
    }

    // The same rule as SubscriberTable.UpsertSql's ON CONFLICT clause.
    private static SubscriberWatermark Merge(SubscriberWatermark? older, SubscriberWatermark newer) =>
        older is not null && older.AckedSeq > newer.AckedSeq ? newer with { AckedSeq = older.AckedSeq } : newer;
}
