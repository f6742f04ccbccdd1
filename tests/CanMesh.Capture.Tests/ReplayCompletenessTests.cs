using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CanMesh.Capture.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CanMesh.Capture.Tests;

/// <summary>
/// Issue 8: a file holds every frame it will ever give, so a replay must store all of them, however far the
/// reader runs ahead of the store. Through the real executable with the default queue settings.
/// </summary>
public sealed partial class ReplayCompletenessTests(ITestOutputHelper output)
{
    /// <summary>Lines of the generated log; CANMESH_TEST_REPLAY_LINES overrides it.</summary>
    private static long Lines =>
        long.TryParse(Environment.GetEnvironmentVariable("CANMESH_TEST_REPLAY_LINES"), CultureInfo.InvariantCulture, out var lines) ? lines : 400_000;

    /// <summary>Where to keep a copy of the generated log (CANMESH_TEST_REPLAY_KEEP), to replay it by hand with other settings.</summary>
    private static string? KeepLogAt => Environment.GetEnvironmentVariable("CANMESH_TEST_REPLAY_KEEP") is { Length: > 0 } path ? path : null;

    [Fact]
    public void A_large_log_replayed_at_fast_pace_with_default_settings_is_stored_completely()
    {
        using var temp = new TempFolder();
        var log = GeneratedCandumpLog.Write(temp.File("large.log"), Lines);
        if (KeepLogAt is { } keep) File.Copy(log.Path, keep, overwrite: true);
        var config = temp.File("capture.json");
        // Small transactions make the store slower than the log reader, as a slow SD card would: the reader
        // runs far ahead of the writer and fills the (default-sized) queue many times over.
        File.WriteAllText(config, $$"""
            {
              "Capture": { "Interfaces": [ { "Name": "replay0", "Source": "replay", "Path": "{{log.Path}}", "Pace": "fast" } ],
                "Commit": { "MaxFrames": 256 } },
              "Store": { "Path": "{{temp.Database}}" },
              "Api": { "SocketPath": "{{temp.Socket}}" }
            }
            """);

        var clock = Stopwatch.StartNew();
        using var capture = CaptureProcess.Start("--config", config);
        Assert.True(capture.WaitForExit(TimeSpan.FromMinutes(10)), "the replay did not end within 10 minutes:\n" + capture.Output);
        clock.Stop();
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");

        Assert.Equal(new object?[] { log.Lines, 1L, log.Lines }, temp.Query("SELECT count(*), min(seq), max(seq) FROM frames")[0]);
        Assert.Equal(new object?[] { log.IdSum, log.PayloadBytes }, temp.Query("SELECT sum(can_id), sum(length(data)) FROM frames")[0]);
        Assert.Equal(0L, temp.Scalar("SELECT count(*) FROM events WHERE kind IN ('QueueOverflow', 'KernelDrop', 'SourceFault')"));
        Assert.Matches(@"queue_drops=0 ", capture.Stdout);
        Assert.Contains("every frame read is committed", capture.Stdout);

        // Informational: the figure the issue asks for. Never a reason to fail.
        var rates = FinalRate().Matches(capture.Stdout);
        var rate = rates.Count > 0 ? rates[^1].Groups[1].Value : "(no final stats line matched)";
        output.WriteLine($"{log.Lines} lines stored in {clock.Elapsed.TotalSeconds:0.0} s from process start to exit " +
            $"({log.Lines / clock.Elapsed.TotalSeconds:0} frames/s); the final stats line says rate={rate}/s.");
        output.WriteLine($"command: dotnet {Path.Combine(AppContext.BaseDirectory, "canmesh-capture.dll")} --config {config}");
        output.WriteLine(File.ReadAllText(config));
    }

    [GeneratedRegex(@"stats replay0 \(replay, [a-z]+\): frames=\d+ rate=(\d+)/s")]
    private static partial Regex FinalRate();
}
