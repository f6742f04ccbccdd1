using System.Globalization;
using CanMesh.Forwarder.Postgres;
using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;
using Npgsql;

namespace CanMesh.Forwarder.Tests;

/// <summary>
/// Rows PostgreSQL refuses (here a CHECK constraint an administrator added) are kept in rejected_frames with the
/// server's reason, the rest go in, and the forwarder moves on: nothing is retried forever, nothing is skipped silently.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class RejectedRowTests(PostgresFixture postgres)
{
    /// <summary>A CAN id the log holds 66 times, spread over the whole replay.</summary>
    private const string RefusedId = "3A2";

    private const string Constraint = "frames_no_3a2";

    [Fact]
    public async Task Frames_a_check_constraint_refuses_are_kept_in_rejected_frames_and_all_others_arrive()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ForwarderSchema.MigrateAsync(connection, "canmesh", CancellationToken.None);
            var refused = int.Parse(RefusedId, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            await using var check = new NpgsqlCommand($"ALTER TABLE canmesh.frames ADD CONSTRAINT {Constraint} CHECK (can_id <> {refused})", connection);
            await check.ExecuteNonQueryAsync();
        }

        using var folder = new TempFolder();
        using var capture = await ReplayedLog.StartCaptureAsync(folder);
        using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, connectionString).Variables);

        var captureId = FrameRows.CaptureId(folder.Database);
        await Waiting.UntilAsync(
            async () => await PostgresQueries.SyncedSeqAsync(connectionString, captureId) >= ReplayedLog.Frames,
            () => $"PostgreSQL did not reach seq {ReplayedLog.Frames}.\nforwarder:\n{forwarder.Output}\ncapture:\n{capture.Output}");
        Assert.Equal(ReplayedLog.Frames, await PostgresQueries.SyncedSeqAsync(connectionString, captureId));

        var sqlite = FrameRows.FromSqlite(folder.Database);
        Assert.Equal(ReplayedLog.Frames, sqlite.Count);
        var refusedRows = sqlite.Where(IsRefused).ToList();
        Assert.Equal(66, refusedRows.Count);
        var frames = await FrameRows.FromPostgresAsync(connectionString, captureId);
        FrameRows.AssertSame(sqlite.Where(r => !IsRefused(r)).ToList(), frames);

        var rejected = await RejectedAsync(connectionString, captureId);
        Assert.Equal(refusedRows, rejected.Select(r => r.Row).ToList());
        Assert.Equal(ReplayedLog.Frames, frames.Count + rejected.Count);
        Assert.All(rejected, r =>
        {
            Assert.Equal("23514", r.SqlState);
            Assert.Contains(Constraint, r.Reason, StringComparison.Ordinal);
        });

        // synced_frames counts what went into frames: the refused rows are accounted for, not counted as sent.
        Assert.Equal(ReplayedLog.Frames - refusedRows.Count,
            await PostgresQueries.ScalarOrAsync(connectionString, $"SELECT synced_frames FROM canmesh.captures WHERE capture_id = '{captureId}'"));
        var warnings = ForwarderOutput.Lines(forwarder.Stdout, 400);
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Contains("rejected_frames", w, StringComparison.Ordinal));
        Assert.Equal(refusedRows.Count, warnings.Sum(w => int.Parse(w.Split("refused ")[1].Split(' ')[0], CultureInfo.InvariantCulture)));

        forwarder.Terminate();
        Assert.True(await forwarder.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the forwarder did not stop on SIGTERM");
        Assert.Equal(0, forwarder.ExitCode);
    }

    /// <summary>FrameRows' line: seq, timestamp_ns, interface, id, flags, dlc, data.</summary>
    private static bool IsRefused(string row) => row.Split(' ')[3] == RefusedId;

    /// <summary>rejected_frames as FrameRows' lines (its columns keep the frame whole), in seq order, with the server's verdict.</summary>
    private static async Task<List<(string Row, string SqlState, string Reason)>> RejectedAsync(string connectionString, string captureId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT seq, timestamp_ns, interface, can_id, flags, dlc, data, sqlstate, reason FROM canmesh.rejected_frames WHERE capture_id = $1 ORDER BY seq",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.Parse(captureId) });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            var row = string.Create(CultureInfo.InvariantCulture,
                $"{reader.GetInt64(0)} {reader.GetInt64(1)} {reader.GetString(2)} {reader.GetInt32(3):X} {reader.GetInt32(4):X} {reader.GetInt16(5)} {Convert.ToHexString((byte[])reader.GetValue(6))}");
            rows.Add((row, reader.GetString(7), reader.GetString(8)));
        }
        return rows;
    }
}
