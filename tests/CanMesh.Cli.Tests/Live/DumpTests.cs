using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CanMesh.Cli.Tests.Live.Infrastructure;

namespace CanMesh.Cli.Tests.Live;

/// <summary>canmesh dump against a running capture service: the replayed SavvyCAN log must come back line for line.</summary>
[Collection(RunningCaptureCollection.Name)]
public sealed partial class DumpTests(RunningCapture capture)
{
    [Fact]
    public async Task The_stored_replay_comes_back_as_the_exact_candump_log_in_order()
    {
        var log = RunningCapture.LogLines;
        var dump = await Canmesh.RunAsync(capture.SocketPath, "dump", "--after-seq", "0", "--iface", RunningCapture.ReplayInterface,
            "--count", log.Count.ToString(CultureInfo.InvariantCulture));

        Assert.True(dump.ExitCode == 0, dump.Stderr);
        Assert.Equal("", dump.Stderr);
        Assert.Equal(log, Output.Lines(dump.Stdout));
    }

    [Fact]
    public async Task Live_frames_arrive_as_they_commit_until_sigterm_in_candump_format()
    {
        var committed = (await capture.Client.GetStatsAsync()).Store.CommittedSeq;
        using var dump = Canmesh.Start(capture.SocketPath, "dump", "--iface", RunningCapture.SimInterface);
        var subscriber = $"canmesh-dump-{dump.Id}";
        Assert.True(dump.WaitForOutput(o => Output.Lines(o).Length >= 20, TimeSpan.FromSeconds(30)), dump.Output);
        Assert.Contains(subscriber, (await capture.Client.GetStatsAsync()).Store.Subscribers.Select(s => s.Name));
        dump.Terminate();
        Assert.True(await dump.WaitForExitAsync(TimeSpan.FromSeconds(30)), dump.Output);

        // A clean stop, as candump's: exit 0, and the viewer's subscriber removed rather than left lagging.
        Assert.True(dump.ExitCode == 0, dump.Output);
        Assert.DoesNotContain(subscriber, (await capture.Client.GetStatsAsync()).Store.Subscribers.Select(s => s.Name));

        var lines = Output.Lines(dump.Stdout);
        Assert.True(lines.Length >= 20);
        var nowSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        long previous = 0;
        foreach (var line in lines)
        {
            var match = CandumpLine().Match(line);
            Assert.True(match.Success, $"not a candump -l line: {line}");
            Assert.Equal(RunningCapture.SimInterface, match.Groups["iface"].Value);
            Assert.InRange(Convert.ToUInt32(match.Groups["id"].Value, 16), 0x700u, 0x70Fu);
            // Live: frames of now, in commit order.
            var micros = long.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) * 1_000_000 + long.Parse(match.Groups["us"].Value, CultureInfo.InvariantCulture);
            Assert.InRange(micros / 1_000_000, nowSeconds - 120, nowSeconds + 5);
            Assert.True(micros >= previous, $"out of order: {line}");
            previous = micros;
        }
        Assert.True((await capture.Client.GetStatsAsync()).Store.CommittedSeq > committed);
        Output.AssertNoStackTrace(dump);
    }

    [Fact]
    public async Task Dump_into_head_ends_quietly_when_head_has_its_lines()
    {
        // Once head exits, the next write fails with EPIPE and dump ends with exit 0 and no message.
        var (exitCode, stdout, stderr) = await Shell.RunAsync(capture.SocketPath, "dotnet \"$0\" dump --socket \"$1\" | head -n 3; exit ${PIPESTATUS[0]}");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        Assert.Equal(3, Output.Lines(stdout).Length);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Dump_into_a_file_appends_to_what_the_shell_wrote_there()
    {
        using var folder = new TempFolder();
        var file = folder.File("dump.log");
        var (exitCode, _, stderr) = await Shell.RunAsync(capture.SocketPath, 
            $"{{ echo start; dotnet \"$0\" dump --socket \"$1\" -n 2; dotnet \"$0\" dump --socket \"$1\" -n 2 -f json; echo end; }} > '{file}'");

        Assert.True(exitCode == 0, stderr);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal(6, lines.Length);
        Assert.Equal("start", lines[0]);
        Assert.Matches(CandumpLine(), lines[1]);
        Assert.Matches(CandumpLine(), lines[2]);
        Assert.StartsWith("{\"seq\":", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("{\"seq\":", lines[4], StringComparison.Ordinal);
        Assert.Equal("end", lines[5]);
    }

    [Fact]
    public async Task An_id_range_yields_exactly_the_frames_in_range()
    {
        var expected = RunningCapture.LogLines.Where(l => IdOf(l) is >= 0x100 and <= 0x1FF || IdOf(l) == 0x2AC).ToList();
        Assert.NotEmpty(expected);
        var dump = await Canmesh.RunAsync(capture.SocketPath, "dump", "--after-seq", "0", "--iface", RunningCapture.ReplayInterface,
            "--id", "100-1FF,2AC", "--count", expected.Count.ToString(CultureInfo.InvariantCulture));

        Assert.True(dump.ExitCode == 0, dump.Stderr);
        Assert.Equal(expected, Output.Lines(dump.Stdout));
    }

    [Fact]
    public async Task Json_lines_carry_seq_time_interface_id_and_data()
    {
        var log = RunningCapture.LogLines.Take(200).ToList();
        var dump = await Canmesh.RunAsync(capture.SocketPath, "dump", "--after-seq", "0", "--iface", RunningCapture.ReplayInterface,
            "--format", "json", "--count", "200");

        Assert.True(dump.ExitCode == 0, dump.Stderr);
        var lines = Output.Lines(dump.Stdout);
        Assert.Equal(200, lines.Length);
        ulong previousSeq = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var frame = json.RootElement;
            var seq = frame.GetProperty("seq").GetUInt64();
            Assert.True(seq > previousSeq);
            previousSeq = seq;
            var expected = CandumpLine().Match(log[i]);
            Assert.Equal(expected.Groups["iface"].Value, frame.GetProperty("iface").GetString());
            Assert.Equal(expected.Groups["id"].Value, frame.GetProperty("id").GetString());
            Assert.Equal(expected.Groups["data"].Value, frame.GetProperty("data").GetString());
            Assert.Equal(expected.Groups["data"].Value.Length / 2, frame.GetProperty("len").GetInt32());
            Assert.Equal($"{expected.Groups["s"].Value}.{expected.Groups["us"].Value}", frame.GetProperty("ts").GetRawText());
            var micros = long.Parse(expected.Groups["s"].Value, CultureInfo.InvariantCulture) * 1_000_000 + long.Parse(expected.Groups["us"].Value, CultureInfo.InvariantCulture);
            Assert.Equal(micros, frame.GetProperty("ts_ns").GetInt64() / 1000);
            Assert.Equal(0, frame.GetProperty("flags").GetArrayLength());
        }
    }

    [Theory]
    [InlineData("--id", "800-7FF", "runs backwards")]
    [InlineData("--id", "1G0", "'1G0' is not a hex id or range")]
    [InlineData("--id", "100-", "'100-' is not a hex id or range")]
    [InlineData("--id", "20000000", "is not a hex id or range")]
    [InlineData("--format", "asc", "'asc' is not a format")]
    [InlineData("--count", "0", "--count: '0' is not a whole number of at least 1")]
    [InlineData("--count", "abc", "--count: 'abc' is not a whole number")]
    [InlineData("--after-seq", "-1", "--after-seq: '-1' is not a whole number")]
    public async Task Bad_input_is_one_line_and_exit_code_2(string option, string value, string message)
    {
        var dump = await Canmesh.RunAsync(capture.SocketPath, "dump", option, value);

        Output.AssertOneErrorLine(dump, 2, message);
        Assert.Equal("", dump.Stdout);
    }

    private static uint IdOf(string line) => Convert.ToUInt32(CandumpLine().Match(line).Groups["id"].Value, 16);

    [GeneratedRegex(@"^\((?<s>\d+)\.(?<us>\d{6})\) (?<iface>\S+) (?<id>[0-9A-F]{3}|[0-9A-F]{8})#(?<data>(?:[0-9A-F]{2})*)$")]
    private static partial Regex CandumpLine();
}
