using CanMesh.Frames;
using CanMesh.Store;
using CanMesh.Store.Schema;

namespace CanMesh.Cli.Offline;

/// <summary>
/// Frames from a capture database file, read with the store's own reader on its own read-only connection (a
/// capture may be writing the file meanwhile: WAL lets both go on). Seq bounds narrow the read; time bounds
/// narrow it through the commits time index, then each frame's time is checked.
/// </summary>
internal sealed class DatabaseSource : IExportSource
{
    private const int BlockFrames = 8192;

    private readonly FrameJournal _journal;
    private readonly ExportSelection _selection;
    private readonly HashSet<ushort>? _interfaces;
    private readonly bool _filters;
    private readonly Func<ushort, bool> _isSelectedInterface;

    private DatabaseSource(FrameJournal journal, ExportSelection selection, HashSet<ushort>? interfaces)
    {
        _journal = journal;
        _selection = selection;
        _interfaces = interfaces;
        _filters = interfaces is not null || selection.Ids is not null || selection.HasTimeBounds;
        // One delegate for the whole export: a method group passed per frame would allocate per frame.
        _isSelectedInterface = id => _interfaces!.Contains(id);
    }

    /// <exception cref="CliFailure">The file is missing or not a capture database, or names an interface it does not have.</exception>
    public static DatabaseSource Open(string path, ExportSelection selection)
    {
        if (CaptureDatabaseCheck.Problem(path) is { } problem) throw CliFailure.Usage(problem);
        var journal = FrameJournal.Open(new StoreSettings { Path = path });
        HashSet<ushort>? interfaces = null;
        if (selection.Interfaces.Count > 0)
        {
            interfaces = [];
            var known = journal.Interfaces.All;
            foreach (var name in selection.Interfaces)
            {
                var match = known.Where(kv => kv.Value == name).Select(kv => (ushort?)kv.Key).FirstOrDefault();
                if (match is null)
                {
                    journal.Dispose();
                    var names = string.Join(", ", known.OrderBy(kv => kv.Key).Select(kv => kv.Value));
                    throw CliFailure.Usage($"--iface {name}: {path} has no interface of that name (it has: {(names.Length == 0 ? "none" : names)}).");
                }
                interfaces.Add(match.Value);
            }
        }
        return new DatabaseSource(journal, selection, interfaces);
    }

    public string InterfaceName(ushort id) => _journal.Interfaces.NameOf(id);

    public long? EstimatedFrames
    {
        get
        {
            var first = Math.Max(_selection.FromSeq, _journal.FirstSeq);
            var last = Math.Min(_selection.ToSeq, _journal.CommittedSeq);
            return Math.Max(0, last - first + 1);
        }
    }

    public Task<long> ForEachAsync(FrameSink sink, Action<long>? progress, CancellationToken cancellationToken)
    {
        using var reader = _journal.OpenReader();
        var committed = _journal.CommittedSeq;
        var from = Math.Max(_selection.FromSeq, _journal.FirstSeq);
        var to = Math.Min(_selection.ToSeq, committed);
        IReadOnlyList<(long First, long Last)> ranges = _selection.HasTimeBounds
            ? reader.SeqRangesForTime(_selection.FromNs, _selection.ToNs)
            : [(from, to)];
        var frames = new CanFrame[BlockFrames];
        var seqs = new long[BlockFrames];
        var kept = _filters ? new CanFrame[BlockFrames] : frames;
        var keptSeqs = _filters ? new long[BlockFrames] : seqs;
        long passed = 0, read = 0;
        foreach (var (rangeFirst, rangeLast) in ranges)
        {
            var next = Math.Max(rangeFirst, from);
            var last = Math.Min(rangeLast, to);
            while (next <= last)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = reader.Read(next, last, frames, seqs);
                if (n == 0) break;
                var count = n;
                if (_filters)
                {
                    count = 0;
                    for (var i = 0; i < n; i++)
                    {
                        if (!_selection.Matches(in frames[i], seqs[i], _isSelectedInterface)) continue;
                        kept[count] = frames[i];
                        keptSeqs[count++] = seqs[i];
                    }
                }
                if (count > 0) sink(kept.AsSpan(0, count), keptSeqs.AsSpan(0, count));
                passed += count;
                read += n;
                progress?.Invoke(read);
                next = seqs[n - 1] + 1;
                if (n < frames.Length) break;
            }
        }
        return Task.FromResult(passed);
    }

    public ValueTask DisposeAsync()
    {
        _journal.Dispose();
        return ValueTask.CompletedTask;
    }
}
