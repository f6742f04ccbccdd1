using System.Diagnostics;
using System.Globalization;
using CanMesh.Bench.Capture;
using CanMesh.Bench.Stream;
using CanMesh.Forwarder.Postgres;
using Npgsql;

namespace CanMesh.Bench.Forward;

/// <summary>
/// The forward benchmark session: a capture database of N frames served by the real canmesh-capture, a fresh
/// PostgreSQL container, then per run: the real canmesh-forwarder drains the backlog into a new, empty database
/// (timed from its start until synced_seq = N), the rows are verified, and the same rows are loaded once more
/// by the server itself (COPY ... FROM a file inside the container into an identical empty table): the anchor.
/// </summary>
internal sealed class ForwardSession
{
    private const string Schema = "canmesh";
    private const string AnchorSchema = "canmesh_anchor";
    private const string Columns = "capture_id, seq, ts, ts_ns_extra, interface_id, can_id, flags, dlc, data";

    private readonly ForwardOptions _options;
    private readonly TextWriter _out;

    public ForwardSession(ForwardOptions options, TextWriter output)
    {
        _options = options;
        _out = output;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.Directory);
        ForwardReport.Header(_out, _options);
        var pool = FramePool.Generate(_options.PoolFrames, _options.ExtendedShare, _options.FdShare);
        var dbPath = Path.Combine(_options.Directory, $"forward-{Environment.ProcessId}.db");
        _out.WriteLine($"preparing {_options.Frames:N0} frames with JournalWriter ...");
        var db = StreamDatabase.Prepare(dbPath, pool, _options.Frames);
        _out.WriteLine($"capture database: {dbPath}, {db.FileBytes / 1e6:F1} MB, {db.Expected.PayloadBytes / (double)db.Frames:F2} payload bytes per frame, " +
                       $"prepared and checked in {db.PrepareSeconds:F1} s");
        var runs = new List<ForwardRun>();
        var logs = new List<string>();
        var succeeded = false;
        try
        {
            var captureExecutable = _options.CaptureExecutable ?? CaptureServerProcess.DefaultExecutable();
            using var capture = await CaptureServerProcess.StartAsync(captureExecutable, _options.Directory, dbPath).ConfigureAwait(false);
            logs.Add(capture.LogPath);
            logs.Add(Path.ChangeExtension(capture.LogPath, ".json"));
            _out.WriteLine($"capture: {captureExecutable} pid {capture.ProcessId}, socket {capture.SocketPath}");

            _out.WriteLine($"starting PostgreSQL ({_options.Image}) ...");
            var started = Stopwatch.StartNew();
            await using var postgres = await PostgresServer.StartAsync(_options.Image, _options.PostgresSettings, _options.Keep, restartable: false, cancellationToken).ConfigureAwait(false);
            _out.WriteLine($"postgres: container {postgres.ContainerId[..12]} on {postgres.Host}:{postgres.Port}, up in {started.Elapsed.TotalSeconds:F1} s; " +
                           await DescribeServerAsync(postgres, cancellationToken).ConfigureAwait(false));
            if (double.IsNaN(postgres.CpuSeconds())) _out.WriteLine("  (the container's cgroup was not found: PostgreSQL CPU is not reported)");

            var forwarders = _options.ForwarderAssemblies.Count > 0 ? _options.ForwarderAssemblies : [ForwarderProcess.DefaultAssembly()];
            for (var i = 0; i < forwarders.Count; i++) _out.WriteLine($"forwarder {Label(i)}: dotnet {forwarders[i]}");
            ForwardReport.RunHeader(_out);
            for (var round = 1; round <= _options.Runs; round++)
            {
                for (var i = 0; i < forwarders.Count; i++)
                {
                    // The anchor runs once per round, after the first build's drain, on the rows that drain wrote.
                    var run = await RunOnceAsync(round, Label(i), forwarders[i], anchor: i == 0, postgres, capture, db, logs, cancellationToken).ConfigureAwait(false);
                    runs.Add(run);
                    ForwardReport.RunLine(_out, run, runs.First(r => r.Round == round && r.HasAnchor).AnchorRowsPerSecond);
                }
            }
            ForwardReport.Summary(_out, runs, _options);
            if (_options.Keep)
            {
                _out.WriteLine($"kept: capture database {dbPath}; PostgreSQL container {postgres.ContainerId[..12]} " +
                               $"(psql: docker exec -it {postgres.ContainerId[..12]} psql -U postgres -d forward_1_a; remove: docker rm -f {postgres.ContainerId[..12]})");
            }
            succeeded = true;
            return 0;
        }
        finally
        {
            if (!_options.Keep) db.Delete();
            // A failed run's logs are what explains it; a good or interrupted run's are noise in the folder.
            if ((succeeded || cancellationToken.IsCancellationRequested) && !_options.Keep)
            {
                foreach (var log in logs) File.Delete(log);
            }
            else if (!succeeded && !cancellationToken.IsCancellationRequested)
            {
                _out.WriteLine($"logs kept: {string.Join(", ", logs.Where(File.Exists))}");
            }
        }
    }

    private static string Label(int index) => ((char)('A' + index)).ToString();

    private async Task<ForwardRun> RunOnceAsync(int round, string label, string assembly, bool anchor, PostgresServer postgres, CaptureServerProcess capture,
        StreamDatabase db, List<string> logs, CancellationToken cancellationToken)
    {
        // A new database per run: the forwarder starts from an empty PostgreSQL (schema creation included), and
        // the run before leaves no table, cache or dead tuples behind but what the server keeps across databases.
        var database = $"forward_{round}_{label.ToLowerInvariant()}";
        await postgres.ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
        await postgres.ExecuteAsync("postgres", $"CREATE DATABASE {database}", cancellationToken).ConfigureAwait(false);
        // Both timed phases start from a clean checkpoint, so neither pays for the other's dirty pages.
        await postgres.ExecuteAsync("postgres", "CHECKPOINT", cancellationToken).ConfigureAwait(false);

        var settings = new Dictionary<string, string>
        {
            ["Capture:Socket"] = capture.SocketPath,
            ["Forwarder:Subscriber"] = $"bench-forward-{Environment.ProcessId}-{round}-{label}",
            ["Forwarder:BatchFrames"] = _options.BatchFrames.ToString(CultureInfo.InvariantCulture),
            ["Forwarder:Commit:MaxFrames"] = _options.CommitFrames.ToString(CultureInfo.InvariantCulture),
            ["Forwarder:StatsInterval"] = "1s",
            ["Postgres:Host"] = postgres.Host,
            ["Postgres:Port"] = postgres.Port.ToString(CultureInfo.InvariantCulture),
            ["Postgres:Database"] = database,
            ["Postgres:Username"] = PostgresServer.Superuser,
            ["Postgres:Password"] = postgres.Password,
            ["Postgres:Schema"] = Schema,
            ["Logging:Level"] = "Information",
        };
        var logPath = Path.Combine(_options.Directory, $"forwarder-{Environment.ProcessId}-{round}-{label}.log");
        logs.Add(logPath);
        await using var poll = await postgres.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        var load = StreamReport.LoadAverage();
        var postgresCpu0 = postgres.CpuSeconds();
        var captureCpu0 = capture.CpuSeconds();

        var clock = Stopwatch.StartNew();
        using var forwarder = ForwarderProcess.Start(assembly, settings, logPath);
        // For attaching a profiler (perf record -p PID) while it drains.
        _out.WriteLine($"  run {round} {label}: forwarder pid {forwarder.ProcessId} into {database}, log {logPath}");
        double firstCommitSeconds = double.NaN;
        long firstCommitSeq = 0;
        long last = 0;
        var lastChange = clock.Elapsed;
        using var timer = new PeriodicTimer(_options.PollInterval);
        while (true)
        {
            var synced = await SyncedSeqAsync(poll, cancellationToken).ConfigureAwait(false);
            var now = clock.Elapsed;
            if (synced > 0 && double.IsNaN(firstCommitSeconds))
            {
                firstCommitSeconds = now.TotalSeconds;
                firstCommitSeq = synced;
            }
            if (synced >= db.Frames) break;
            if (synced != last)
            {
                last = synced;
                lastChange = now;
            }
            if (forwarder.HasExited)
            {
                throw new InvalidOperationException($"canmesh-forwarder exited with code {forwarder.ExitCode} at synced_seq {synced:N0} of {db.Frames:N0}; its log ends:\n{forwarder.LogTail(20)}");
            }
            if (now - lastChange > _options.StallTimeout)
            {
                throw new TimeoutException($"synced_seq stayed at {synced:N0} of {db.Frames:N0} for {_options.StallTimeout.TotalSeconds:F0} s; the forwarder's log ends:\n{forwarder.LogTail(20)}");
            }
            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var forwarderCpu = forwarder.CpuSeconds();
        var postgresCpu = postgres.CpuSeconds() - postgresCpu0;
        var captureCpu = capture.CpuSeconds() - captureCpu0;
        var peak = forwarder.PeakResidentBytes();
        var exit = forwarder.Stop();
        if (exit != 0) throw new InvalidOperationException($"canmesh-forwarder stopped with exit code {exit}; its log ends:\n{forwarder.LogTail(20)}");

        var (minTsNs, maxTsNs) = await VerifyAsync(poll, db, cancellationToken).ConfigureAwait(false);
        AnchorResult? copied = anchor ? await RunAnchorAsync(postgres, poll, round, db.Frames, minTsNs, maxTsNs, cancellationToken).ConfigureAwait(false) : null;
        await poll.CloseAsync().ConfigureAwait(false);
        if (!_options.Keep)
        {
            await postgres.ExecuteAsync("postgres", $"DROP DATABASE {database} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
        }

        var run = new ForwardRun
        {
            Round = round,
            Forwarder = label,
            Frames = db.Frames,
            Seconds = seconds,
            FirstCommitSeconds = firstCommitSeconds,
            FirstCommitSeq = firstCommitSeq,
            ForwarderCpuSeconds = forwarderCpu,
            CaptureCpuSeconds = captureCpu,
            PostgresCpuSeconds = postgresCpu,
            ForwarderPeakBytes = peak,
            LoadAverage = load,
        };
        return copied is { } a
            ? run with { ExportSeconds = a.ExportSeconds, AnchorSeconds = a.Seconds, AnchorPostgresCpuSeconds = a.CpuSeconds, AnchorFileBytes = a.FileBytes }
            : run;
    }

    /// <summary>The capture's synced_seq; 0 while the forwarder has not created its schema or committed anything yet.</summary>
    private static async Task<long> SyncedSeqAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand($"SELECT coalesce(max(synced_seq), 0) FROM {Schema}.captures", connection);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return 0;
        }
    }

    /// <summary>Exactly the capture's frames: N rows, seq 1..N (with N rows and the key, dense), every payload byte counted, synced_frames N.</summary>
    private static async Task<(long MinTsNs, long MaxTsNs)> VerifyAsync(NpgsqlConnection connection, StreamDatabase db, CancellationToken cancellationToken)
    {
        await using (var captures = new NpgsqlCommand($"SELECT count(*), max(synced_seq), max(synced_frames) FROM {Schema}.captures", connection))
        await using (var reader = await captures.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var (count, seq, frames) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            if (count != 1 || seq != db.Frames || frames != db.Frames)
            {
                throw new InvalidOperationException($"{Schema}.captures: {count} rows, synced_seq {seq:N0}, synced_frames {frames:N0}; expected one capture at {db.Frames:N0}.");
            }
        }
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), min(seq), max(seq), sum(octet_length(data))::bigint, min(ts), max(ts) FROM {Schema}.frames", connection);
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await rows.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (n, min, max, payload) = (rows.GetInt64(0), rows.GetInt64(1), rows.GetInt64(2), rows.GetInt64(3));
        if (n != db.Frames || min != 1 || max != db.Frames || payload != db.Expected.PayloadBytes)
        {
            throw new InvalidOperationException($"{Schema}.frames holds {n:N0} rows, seq {min:N0}..{max:N0}, {payload:N0} payload bytes; " +
                                                $"expected {db.Frames:N0} rows, seq 1..{db.Frames:N0}, {db.Expected.PayloadBytes:N0} payload bytes.");
        }
        return (ToNs(rows.GetDateTime(4)), ToNs(rows.GetDateTime(5)));
    }

    private static long ToNs(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks * 100;

    private readonly record struct AnchorResult(double ExportSeconds, double Seconds, double CpuSeconds, long FileBytes);

    /// <summary>
    /// The rows the forwarder wrote, out to a file inside the container and back in by the server itself
    /// (no client, no network) into a table made by the same schema code, with the same day partitions.
    /// </summary>
    private async Task<AnchorResult> RunAnchorAsync(PostgresServer postgres, NpgsqlConnection connection, int round, long frames, long minTsNs, long maxTsNs,
        CancellationToken cancellationToken)
    {
        var file = $"/tmp/canmesh-forward-{Environment.ProcessId}-{round}.bin";
        try
        {
            var export = Stopwatch.StartNew();
            await ExecuteAsync(connection, $"COPY (SELECT {Columns} FROM {Schema}.frames) TO '{file}' (FORMAT binary)", cancellationToken).ConfigureAwait(false);
            export.Stop();
            long fileBytes;
            await using (var size = new NpgsqlCommand($"SELECT (pg_stat_file('{file}')).size", connection))
            {
                fileBytes = (long)(await size.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            await ForwarderSchema.MigrateAsync(connection, AnchorSchema, cancellationToken).ConfigureAwait(false);
            var days = new List<long>();
            for (var day = DayPartitions.DayOf(minTsNs); day <= DayPartitions.DayOf(maxTsNs); day++) days.Add(day);
            await new DayPartitions(AnchorSchema).EnsureAsync(connection, days, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "CHECKPOINT", cancellationToken).ConfigureAwait(false);

            var cpu0 = postgres.CpuSeconds();
            var clock = Stopwatch.StartNew();
            await ExecuteAsync(connection, $"COPY {AnchorSchema}.frames ({Columns}) FROM '{file}' (FORMAT binary)", cancellationToken).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = postgres.CpuSeconds() - cpu0;

            await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {AnchorSchema}.frames", connection))
            {
                var n = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                if (n != frames) throw new InvalidOperationException($"The anchor loaded {n:N0} rows, expected {frames:N0}.");
            }
            return new AnchorResult(export.Elapsed.TotalSeconds, seconds, cpu, fileBytes);
        }
        finally
        {
            if (!_options.Keep) await postgres.ExecInContainerAsync(["rm", "-f", file], CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> DescribeServerAsync(PostgresServer postgres, CancellationToken cancellationToken)
    {
        await using var connection = await postgres.OpenAsync("postgres", cancellationToken).ConfigureAwait(false);
        var parts = new List<string>();
        foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "wal_level", "shared_buffers", "max_wal_size" })
        {
            await using var command = new NpgsqlCommand($"SHOW {name}", connection);
            parts.Add($"{name} {await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)}");
        }
        return string.Join(", ", parts);
    }
}
