using CanMesh.Store.Reading;
using CanMesh.Store.Schema;
using CanMesh.Store.Sqlite;
using CanMesh.Store.Subscribers;
using CanMesh.Store.Writing;


namespace CanMesh.Store;

/// <summary>
/// An open capture database: the durable journal of every frame captured. One <see cref="JournalWriter"/>
/// appends (on the capture's writer thread); any number of <see cref="FrameReader"/>s read at the same
/// time (WAL mode lets readers see the last commit while the writer goes on).
/// </summary>
public sealed class FrameJournal : IDisposable
{
    private int _writerCreated;

    private FrameJournal(StoreSettings settings, Guid captureId, long committedSeq, long firstSeq)
    {
        Settings = settings;
        CaptureId = captureId;
        Commits = new CommitSignal(committedSeq);
        _firstSeq = firstSeq;
        Interfaces = new InterfaceCatalog(settings.Path, this);
        Subscribers = new SubscriberTable(settings.Path, this);
    }

    private long _firstSeq;

    public StoreSettings Settings { get; }
    public string Path => Settings.Path;

    /// <summary>Identifies this database's frames wherever they are forwarded: (capture_id, seq) is unique.</summary>
    public Guid CaptureId { get; }

    public CommitSignal Commits { get; }
    public long CommittedSeq => Commits.CommittedSeq;

    /// <summary>The oldest seq still stored (CommittedSeq + 1 when the journal holds no frame).</summary>
    public long FirstSeq => Volatile.Read(ref _firstSeq);

    public InterfaceCatalog Interfaces { get; }
    public SubscriberTable Subscribers { get; }

    /// <summary>
    /// Opens (creating if needed) the database at <see cref="StoreSettings.Path"/>, migrates its schema,
    /// and finds where the sequence stands, so seq stays dense across restarts.
    /// </summary>
    public static FrameJournal Open(StoreSettings settings)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(settings.Path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        using var db = SqliteDatabase.Open(settings.Path, readOnly: false);
        var mode = db.QueryString("PRAGMA journal_mode=WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Could not put {settings.Path} in WAL mode (got {mode}); is it on a file system that supports shared memory?");
        }
        StoreSchema.Migrate(db);
        var captureId = EnsureCaptureId(db);
        var (committed, first) = SeqBounds(db);
        return new FrameJournal(settings, captureId, committed, first);
    }

    /// <summary>
    /// Creates the writer. There is at most one at a time per journal: SQLite has one writer, and seq is
    /// assigned by it. Disposing the writer allows another.
    /// </summary>
    public JournalWriter CreateWriter()
    {
        if (Interlocked.Exchange(ref _writerCreated, 1) != 0) throw new InvalidOperationException("This journal already has a writer.");
        return new JournalWriter(this, SqliteDatabase.Open(Path, readOnly: false));
    }

    internal void WriterClosed() => Volatile.Write(ref _writerCreated, 0);

    /// <summary>Whether a writer exists: then small writes are staged for it instead of competing for the lock.</summary>
    internal bool HasWriter => Volatile.Read(ref _writerCreated) != 0;

    internal StagedWrites Staged { get; } = new();

    /// <summary>Opens a reader on its own connection; dispose it when done.</summary>
    public FrameReader OpenReader() => new(SqliteDatabase.Open(Path, readOnly: true), Interfaces);

    internal void AdvanceFirstSeq(long firstSeq) => Volatile.Write(ref _firstSeq, firstSeq);

    /// <summary>Bytes the database uses on disk: the main file and its write-ahead log.</summary>
    public long FileBytes() => FileLength(Path) + FileLength(Path + "-wal");

    private static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static Guid EnsureCaptureId(SqliteDatabase db)
    {
        var text = db.QueryString("SELECT value FROM meta WHERE key = 'capture_id'");
        if (text is not null) return Guid.Parse(text);
        var id = Guid.NewGuid();
        db.Execute($"INSERT INTO meta(key, value) VALUES('capture_id', '{id:D}'), ('created_utc', '{DateTime.UtcNow:O}')");
        return id;
    }

    /// <summary>
    /// The last committed seq is the highest stored, or, when retention deleted every frame, the highest it
    /// ever evicted (kept in meta), so a restart never reuses a seq.
    /// </summary>
    private static (long Committed, long First) SeqBounds(SqliteDatabase db)
    {
        var maxStored = db.QueryInt64("SELECT COALESCE(MAX(seq), 0) FROM frames");
        var evicted = long.Parse(db.QueryString("SELECT value FROM meta WHERE key = 'evicted_through_seq'") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var committed = Math.Max(maxStored, evicted);
        var first = db.QueryInt64("SELECT MIN(seq) FROM frames", committed + 1);
        if (first == 0) first = committed + 1;
        return (committed, first);
    }

    public void Dispose()
    {
        Interfaces.Dispose();
        Subscribers.Dispose();
    }
}
