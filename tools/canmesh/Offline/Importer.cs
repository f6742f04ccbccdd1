using CanMesh.Candump;
using CanMesh.Cli.Formats;
using CanMesh.Frames;
using CanMesh.Store;
using CanMesh.Store.Schema;
using CanMesh.Store.Sqlite;

namespace CanMesh.Cli.Offline;

/// <summary>What an import did.</summary>
internal sealed record ImportResult(long Frames, long FirstSeq, long LastSeq, long PreviousSeq, long MalformedLines, long IgnoredLines);

/// <summary>
/// Loads a log into a capture database through the store's own writer, so the result is an ordinary capture
/// database: dense seqs after whatever it already holds, the interfaces table, a capture id, the commits time
/// index. A capture service can open it and serve it. Frames are committed in blocks as they are read: what parsed
/// is kept even if a later line is bad.
/// </summary>
internal static class Importer
{
    private const int BlockFrames = 8192;

    /// <exception cref="CliFailure">The database exists but is not a capture database, or cannot be written.</exception>
    public static ImportResult Run(string logPath, FrameLogFormat format, string databasePath, bool force, Action<CandumpSkippedLine> onSkipped, Action<long>? progress)
    {
        if (Directory.Exists(databasePath)) throw CliFailure.Usage($"{databasePath} is a directory, not a CanMesh capture database.");
        if (File.Exists(databasePath) && new FileInfo(databasePath).Length > 0)
        {
            if (CaptureDatabaseCheck.Problem(databasePath) is { } problem)
                throw CliFailure.Usage(problem + " Import writes only into a CanMesh capture database or a new file.");
            // A running capture assigns seqs itself: a second writer would collide with it (or wait for its lock for ever).
            if (!force && CaptureDatabaseCheck.RunningSince(databasePath) is { } since)
            {
                throw new CliFailure($"A capture has been writing {databasePath} since {DateTimeOffset.FromUnixTimeMilliseconds(since / 1_000_000):u} " +
                    "and has not stopped: stop it first, or import into another file. (If it crashed, start and stop it once, or give --force.)");
            }
        }

        // NORMAL, not FULL: an import is repeatable from its log, and fsync per block would only slow it.
        using var journal = FrameJournal.Open(new StoreSettings { Path = databasePath, Synchronous = SynchronousMode.Normal });
        var previous = journal.CommittedSeq;
        using var writer = journal.CreateWriter();
        using var log = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = format.CreateReader!(log, new FrameLogReaderContext(logPath, journal.Interfaces.Resolve, onSkipped));
        var batch = new FrameBatch(BlockFrames);
        long frames = 0;
        try
        {
            while (true)
            {
                batch.Clear();
                var n = reader.ReadBatch(batch);
                if (n > 0)
                {
                    writer.Append(batch.Frames);
                    writer.Commit(NowNs());
                    frames += n;
                }
                progress?.Invoke(log.Position);
                if (!batch.IsFull) break;
            }
            writer.Commit(NowNs()); // interface names of a log without frames
        }
        catch (SqliteError e)
        {
            writer.Rollback();
            throw new CliFailure($"Cannot write {databasePath}: {e.Message}{(e.Message.Contains("locked", StringComparison.OrdinalIgnoreCase) ? " Is a capture service writing it?" : "")}");
        }
        return new ImportResult(frames, previous + 1, journal.CommittedSeq, previous, reader.MalformedLines, reader.IgnoredLines);
    }

    private static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}
