namespace CanMesh.Store.Sqlite;

/// <summary>
/// A write transaction begun with <see cref="SqliteDatabase.BeginImmediate"/>: <see cref="Commit"/> it, or
/// dispose it to roll back. Whatever fails in between, the connection never stays inside the transaction,
/// where every later BEGIN would fail and the writer would drop every batch after it.
/// </summary>
internal readonly struct SqliteTransaction : IDisposable
{
    private readonly SqliteDatabase _db;

    internal SqliteTransaction(SqliteDatabase db) => _db = db;

    public void Commit() => _db.Execute("COMMIT");

    public void Dispose()
    {
        try
        {
            _db.RollbackIfOpen();
        }
        catch (SqliteError)
        {
            // The error that brought us here is on its way up and says what went wrong; a failed rollback
            // after it adds nothing a person can act on.
        }
    }
}
