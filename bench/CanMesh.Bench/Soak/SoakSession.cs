using System.Diagnostics;
using System.Globalization;
using CanMesh.Bench.Forward;
using CanMesh.Bench.Stream;
using CanMesh.Client;
using Grpc.Core;
using Npgsql;

namespace CanMesh.Bench.Soak;

/// <summary>
/// The soak session: a fresh PostgreSQL container, the real canmesh-capture with sim interfaces at the given rate
/// (SQLite with the service's defaults, durable commits), the real canmesh-forwarder into PostgreSQL, all running for
/// the duration while CPU, RSS, the seqs and the latency are sampled; optionally PostgreSQL stopped for the middle
/// third. One CSV row per sample interval, a progress line a minute, a summary per phase at the end.
/// </summary>
internal sealed class SoakSession
{
    private const string Database = "soak";
    private readonly SoakOptions _options;
    private readonly TextWriter _out;

    public SoakSession(SoakOptions options, TextWriter output)
    {
        _options = options;
        _out = output;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(_options.Directory, $"soak-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(Path.GetDirectoryName(_options.CsvPath)!);
        _out.WriteLine($"canmesh-bench soak, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {StreamReport.LoadAverage()}");
        _out.WriteLine($"  {_options.Describe()}");
        var succeeded = false;
        try
        {
            _out.WriteLine($"starting PostgreSQL ({_options.Image}) ...");
            await using var postgres = await PostgresServer.StartAsync(_options.Image, [], _options.Keep, restartable: _options.Outage, cancellationToken).ConfigureAwait(false);
            await postgres.ExecuteAsync("postgres", $"CREATE DATABASE {Database}", cancellationToken).ConfigureAwait(false);
            _out.WriteLine($"postgres: container {postgres.ContainerId[..12]} on {postgres.Host}:{postgres.Port}, database {Database}");

            var captureExecutable = _options.CaptureExecutable ?? CaptureServerProcess.DefaultExecutable();
            var databasePath = Path.Combine(directory, "capture.db");
            using var capture = await CaptureServerProcess.StartAsync(captureExecutable, directory, socket => CaptureConfig(socket, databasePath)).ConfigureAwait(false);
            _out.WriteLine($"capture: pid {capture.ProcessId}, {databasePath}, log {capture.LogPath}");
            var clock = Stopwatch.StartNew();

            var forwarderLog = Path.Combine(directory, "forwarder.log");
            using var forwarder = ForwarderProcess.Start(_options.ForwarderAssembly ?? ForwarderProcess.DefaultAssembly(), ForwarderSettings(capture, postgres), forwarderLog);
            _out.WriteLine($"forwarder: pid {forwarder.ProcessId}, log {forwarderLog}");

            var timeline = new SoakTimeline(_options.Warmup, _options.Outage);
            var probe = new FreshnessProbe(postgres.ConnectionString(Database), _options.ProbeInterval, clock, timeline, _options.CaughtUpLatency);
            using var stopProbe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var probing = probe.RunAsync(stopProbe.Token);
            await using var client = new CaptureClient(capture.SocketPath, new CaptureClientOptions { CallTimeout = TimeSpan.FromSeconds(5) });
            var outage = _options.Outage ? RunOutageAsync(postgres, client, clock, timeline, cancellationToken) : Task.FromResult(0L);

            var samples = await SampleAsync(capture, forwarder, postgres, client, probe, clock, timeline, cancellationToken).ConfigureAwait(false);
            var committedAtBack = await outage.ConfigureAwait(false);
            await stopProbe.CancelAsync().ConfigureAwait(false);
            await probing.ConfigureAwait(false);
            var probes = probe.All();

            var exit = forwarder.Stop();
            _out.WriteLine($"forwarder stopped (exit code {exit}); {probe.Failures:N0} latency probes got no answer (PostgreSQL down or restarting)");
            await VerifyAsync(postgres, samples[^1], cancellationToken).ConfigureAwait(false);
            var drain = _options.Outage ? Drain(probes, timeline, committedAtBack) : null;
            SoakReport.Summary(_out, samples, probes, timeline, drain);
            _out.WriteLine($"samples: {_options.CsvPath}; load average at the end {StreamReport.LoadAverage()}");
            if (_options.Keep) _out.WriteLine($"kept: {directory}; PostgreSQL container {postgres.ContainerId[..12]} (remove: docker rm -f {postgres.ContainerId[..12]})");
            succeeded = exit == 0;
            return succeeded ? 0 : 1;
        }
        finally
        {
            // A failed run's logs are what explains it; a good run's database is gigabytes of nothing.
            if (succeeded && !_options.Keep) Directory.Delete(directory, recursive: true);
            else if (!succeeded) _out.WriteLine($"kept for inspection: {directory}");
        }
    }

    /// <summary>The capture as deployed (durable commits, default queue and commit settings) with one paced sim per interface.</summary>
    private object CaptureConfig(string socketPath, string databasePath) => new
    {
        Capture = new
        {
            Interfaces = Enumerable.Range(0, _options.Interfaces)
                .Select(i => new { Name = $"sim{i}", Source = "sim", FramesPerSecond = _options.Rate / _options.Interfaces, Seed = i + 1 })
                .ToArray(),
            ExitWhenSourcesEnd = false,
        },
        Store = new { Path = databasePath },
        Api = new { SocketPath = socketPath, SocketMode = "0600" },
        Logging = new { Level = "Information" },
    };

    private Dictionary<string, string> ForwarderSettings(CaptureServerProcess capture, PostgresServer postgres)
    {
        var settings = new Dictionary<string, string>
        {
            ["Capture:Socket"] = capture.SocketPath,
            ["Postgres:Host"] = postgres.Host,
            ["Postgres:Port"] = postgres.Port.ToString(CultureInfo.InvariantCulture),
            ["Postgres:Database"] = Database,
            ["Postgres:Username"] = PostgresServer.Superuser,
            ["Postgres:Password"] = postgres.Password,
            ["Logging:Level"] = "Information",
        };
        foreach (var setting in _options.ForwarderSettings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            settings[setting[..equals]] = setting[(equals + 1)..];
        }
        return settings;
    }

    /// <summary>Stops PostgreSQL at a third of the run and starts it at two thirds; returns the capture's committed seq when it answered again.</summary>
    private async Task<long> RunOutageAsync(PostgresServer postgres, CaptureClient client, Stopwatch clock, SoakTimeline timeline, CancellationToken cancellationToken)
    {
        await DelayUntil(clock, _options.OutageStart, cancellationToken).ConfigureAwait(false);
        await postgres.StopAsync(cancellationToken).ConfigureAwait(false);
        timeline.MarkOutageStarted(clock.Elapsed.TotalSeconds);
        _out.WriteLine($"{clock.Elapsed.TotalMinutes,5:F1} min PostgreSQL stopped");
        await DelayUntil(clock, _options.OutageEnd, cancellationToken).ConfigureAwait(false);
        await postgres.RestartAsync(cancellationToken).ConfigureAwait(false);
        timeline.MarkPostgresBack(clock.Elapsed.TotalSeconds);
        var committed = (long)(await client.GetStatsAsync(cancellationToken).ConfigureAwait(false)).Store.CommittedSeq;
        _out.WriteLine($"{clock.Elapsed.TotalMinutes,5:F1} min PostgreSQL answers again; capture committed seq {committed:N0}");
        return committed;
    }

    private static async Task DelayUntil(Stopwatch clock, TimeSpan at, CancellationToken cancellationToken)
    {
        var wait = at - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<SoakSample>> SampleAsync(CaptureServerProcess capture, ForwarderProcess forwarder, PostgresServer postgres, CaptureClient client,
        FreshnessProbe probe, Stopwatch clock, SoakTimeline timeline, CancellationToken cancellationToken)
    {
        var samples = new List<SoakSample>();
        await using var csv = new StreamWriter(_options.CsvPath) { AutoFlush = true };
        await csv.WriteLineAsync(SoakSample.CsvHeader.AsMemory(), cancellationToken).ConfigureAwait(false);
        var captureCpu = new CpuMeter(capture.CpuSeconds);
        var forwarderCpu = new CpuMeter(forwarder.CpuSeconds);
        var postgresCpu = new CpuMeter(postgres.CpuSeconds);
        var lastSeconds = clock.Elapsed.TotalSeconds;
        long lastCommitted = 0, lastSynced = 0;
        var nextProgress = 60.0;
        using var timer = new PeriodicTimer(_options.SampleInterval);
        while (clock.Elapsed < _options.Duration && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (capture.HasExited) throw new InvalidOperationException($"canmesh-capture exited; see {capture.LogPath}");
            if (forwarder.HasExited) throw new InvalidOperationException($"canmesh-forwarder exited with code {forwarder.ExitCode}; its log ends:\n{forwarder.LogTail(20)}");
            var committed = await CommittedSeqAsync(client, lastCommitted, cancellationToken).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            var interval = seconds - lastSeconds;
            var synced = probe.SyncedSeq;
            var latencies = probe.Between(lastSeconds, seconds).Select(p => p.LatencyMs).ToList();
            var sample = new SoakSample
            {
                Seconds = seconds,
                Phase = timeline.PhaseAt(seconds),
                CaptureCpuPercent = captureCpu.PercentOver(interval),
                CaptureRssMb = capture.ResidentBytes() / 1e6,
                CaptureRssAnonMb = capture.AnonymousResidentBytes() / 1e6,
                ForwarderCpuPercent = forwarderCpu.PercentOver(interval),
                ForwarderRssMb = forwarder.ResidentBytes() / 1e6,
                PostgresCpuPercent = postgresCpu.PercentOver(interval),
                CommittedSeq = committed,
                SyncedSeq = synced,
                CommittedPerSecond = (committed - lastCommitted) / interval,
                SyncedPerSecond = (synced - lastSynced) / interval,
                Probes = latencies.Count,
                LatencyP50Ms = SoakReport.Percentile(latencies, 50),
                LatencyP99Ms = SoakReport.Percentile(latencies, 99),
                LoadAverage1 = LoadAverage1(),
            };
            samples.Add(sample);
            await csv.WriteLineAsync(sample.ToCsv().AsMemory(), cancellationToken).ConfigureAwait(false);
            (lastSeconds, lastCommitted, lastSynced) = (seconds, committed, synced);
            if (seconds >= nextProgress)
            {
                SoakReport.Progress(_out, sample, probe.Between(nextProgress - 60, seconds));
                nextProgress += 60;
            }
        }
        return samples;
    }

    /// <summary>The capture's committed seq; the last one known if GetStats does not answer in time (the sample shows no progress then).</summary>
    private static async Task<long> CommittedSeqAsync(CaptureClient client, long last, CancellationToken cancellationToken)
    {
        try
        {
            return (long)(await client.GetStatsAsync(cancellationToken).ConfigureAwait(false)).Store.CommittedSeq;
        }
        catch (RpcException)
        {
            return last;
        }
    }

    private static double LoadAverage1()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>Exactly once: after the forwarder stopped, PostgreSQL holds synced_seq rows, seq 1..synced_seq (with the key: dense).</summary>
    private async Task VerifyAsync(PostgresServer postgres, SoakSample last, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await postgres.OpenAsync(Database, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT synced_seq FROM canmesh.captures), count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM canmesh.frames", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (synced, count, min, max) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        var ok = count == synced && min == 1 && max == synced;
        _out.WriteLine($"verify ({clock.Elapsed.TotalSeconds:F0} s): synced_seq {synced:N0}, canmesh.frames {count:N0} rows, seq {min:N0}..{max:N0}: {(ok ? "exactly once" : "MISMATCH")}; " +
                       $"capture committed {last.CommittedSeq:N0} at the last sample ({last.CommittedSeq / last.Seconds:N0} frames/s over the run)");
        if (!ok) throw new InvalidOperationException("PostgreSQL does not hold exactly the frames up to synced_seq.");
    }

    /// <summary>From PostgreSQL answering again until the newest frame it holds is fresh again.</summary>
    private DrainResult? Drain(List<LatencyProbe> probes, SoakTimeline timeline, long committedAtBack)
    {
        var back = timeline.PostgresBack;
        var caughtUp = timeline.CaughtUp;
        if (double.IsNaN(back) || double.IsNaN(caughtUp)) return null;
        var syncedAtBack = probes.Where(p => p.Seconds < back).Select(p => p.SyncedSeq).DefaultIfEmpty(0).Max();
        var firstCommit = probes.FirstOrDefault(p => p.Seconds >= back && p.SyncedSeq > syncedAtBack);
        var end = probes.First(p => p.Seconds >= caughtUp);
        var seconds = end.Seconds - back;
        return new DrainResult(
            BacklogFrames: committedAtBack - syncedAtBack,
            FirstCommitSeconds: firstCommit.Seconds - back,
            Seconds: seconds,
            FramesPerSecond: (end.SyncedSeq - syncedAtBack) / seconds,
            FromFirstCommitFramesPerSecond: end.Seconds > firstCommit.Seconds ? (end.SyncedSeq - firstCommit.SyncedSeq) / (end.Seconds - firstCommit.Seconds) : double.NaN,
            CaptureRate: _options.Rate,
            CaughtUpLatencyMs: _options.CaughtUpLatency.TotalMilliseconds);
    }
}
