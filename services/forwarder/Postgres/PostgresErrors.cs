using System.Net.Sockets;
using Npgsql;

namespace CanMesh.Forwarder.Postgres;

/// <summary>What kind of trouble PostgreSQL is in, as the forwarder reports it (one log line per change).</summary>
internal enum PostgresState
{
    Connected,
    Unreachable,
    Restarting,
    Slow,
    DiskFull,
    PasswordRefused,
    DatabaseMissing,
    PermissionDenied,
    Failing,
}

/// <summary>
/// Sorts PostgreSQL and network errors into the states the forwarder reports, and picks out the errors that
/// belong to a row rather than to the server (the row is recorded in rejected_frames, not retried forever).
/// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
/// </summary>
internal static class PostgresErrors
{
    private const string InvalidPassword = "28P01";
    private const string InvalidAuthorization = "28000";
    private const string InvalidCatalogName = "3D000";
    private const string InsufficientPrivilege = "42501";
    private const string DiskFull = "53100";
    private const string OutOfMemory = "53200";
    private const string TooManyConnections = "53300";
    private const string QueryCanceled = "57014";
    private const string AdminShutdown = "57P01";
    private const string CrashShutdown = "57P02";
    private const string CannotConnectNow = "57P03";
    private const string ReadOnlyTransaction = "25006";

    /// <summary>A data exception (class 22) or an integrity violation (class 23): this row, not the server.</summary>
    public static bool IsRowError(Exception error) =>
        error is PostgresException { SqlState: [ '2', '2' or '3', ..] };

    public static PostgresState Classify(Exception error) => error switch
    {
        PostgresException { SqlState: InvalidPassword or InvalidAuthorization } => PostgresState.PasswordRefused,
        PostgresException { SqlState: InvalidCatalogName } => PostgresState.DatabaseMissing,
        PostgresException { SqlState: InsufficientPrivilege } => PostgresState.PermissionDenied,
        PostgresException { SqlState: DiskFull or OutOfMemory } => PostgresState.DiskFull,
        PostgresException { SqlState: AdminShutdown or CrashShutdown or CannotConnectNow or TooManyConnections or ReadOnlyTransaction } => PostgresState.Restarting,
        PostgresException { SqlState: QueryCanceled } => PostgresState.Slow,
        NpgsqlException { InnerException: TimeoutException } or TimeoutException => PostgresState.Slow,
        NpgsqlException { InnerException: SocketException or IOException or EndOfStreamException } => PostgresState.Unreachable,
        SocketException or IOException or EndOfStreamException => PostgresState.Unreachable,
        NpgsqlException { IsTransient: true } => PostgresState.Unreachable,
        _ => PostgresState.Failing,
    };

    /// <summary>What the state means and what to do about it, for the one log line per change.</summary>
    public static string Advice(PostgresState state) => state switch
    {
        PostgresState.Unreachable => "cannot reach PostgreSQL; frames wait in the capture database until it is back",
        PostgresState.Restarting => "PostgreSQL is starting up, shutting down or not accepting writes; retrying",
        PostgresState.Slow => "PostgreSQL did not answer within Postgres:CommandTimeout; retrying",
        PostgresState.DiskFull => "PostgreSQL is out of disk space (or memory): free space on the server; frames wait in the capture database",
        PostgresState.PasswordRefused => "PostgreSQL refused the login: check Postgres:Username and the password (Postgres:Password or Postgres:PasswordFile)",
        PostgresState.DatabaseMissing => "the database does not exist: create it (CREATE DATABASE) or fix Postgres:Database",
        PostgresState.PermissionDenied => "the role lacks a privilege: grant it CREATE on the database and USAGE, CREATE on the schema, or create the schema for it",
        _ => "PostgreSQL refused the write; retrying",
    };

    /// <summary>One line: the SQLSTATE and the server's message, or the exception's message.</summary>
    public static string Describe(Exception error) => error switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}" + (pg.Detail is { Length: > 0 } detail ? $" ({detail})" : ""),
        NpgsqlException { InnerException: { } inner } npgsql => $"{npgsql.Message} ({inner.Message})",
        _ => error.Message,
    };
}
