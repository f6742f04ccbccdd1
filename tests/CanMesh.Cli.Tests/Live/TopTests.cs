using System.Globalization;
using System.Text.RegularExpressions;
using CanMesh.Cli.Tests.Live.Infrastructure;

namespace CanMesh.Cli.Tests.Live;

/// <summary>canmesh top against a running capture service, through its snapshot (what it prints without a terminal).</summary>
[Collection(RunningCaptureCollection.Name)]
public sealed partial class TopTests(RunningCapture capture)
{
    [Fact]
    public async Task A_snapshot_of_the_stored_replay_counts_every_id_exactly()
    {
        var expected = RunningCapture.LogLines
            .Select(l => l.Split(' ')[2].Split('#'))
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => (Count: g.LongCount(), LastData: g.Last()[1]));

        var top = await Canmesh.RunAsync(capture.SocketPath, "top", "--once", "--duration", "5s", "--after-seq", "0", "--iface", RunningCapture.ReplayInterface);

        Assert.True(top.ExitCode == 0, top.Output);
        var rows = Rows(top.Stdout);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => r.Id));
        foreach (var row in rows)
        {
            Assert.Equal(RunningCapture.ReplayInterface, row.Interface);
            Assert.Equal(expected[row.Id].Count, row.Count);
            Assert.Equal(expected[row.Id].LastData, row.Data);
        }
        Assert.Contains($"{expected.Count} ids, {RunningCapture.LogLines.Count} frames in", top.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_snapshot_shows_the_ids_of_the_running_bus_at_a_plausible_rate()
    {
        var top = await Canmesh.RunAsync(capture.SocketPath, "top", "--once", "--duration", "3s", "--iface", RunningCapture.SimInterface);

        Assert.True(top.ExitCode == 0, top.Output);
        var rows = Rows(top.Stdout);
        Assert.True(rows.Count >= 8, top.Stdout);
        Assert.All(rows, r => Assert.InRange(Convert.ToUInt32(r.Id, 16), 0x700u, 0x70Fu));
        // 200 frames/s over 16 ids: a few hundred frames in 3 s, a rate of a few per second per id.
        Assert.InRange(rows.Sum(r => r.Count), 100, 2000);
        Assert.All(rows, r => Assert.InRange(r.Rate, 0.1, 100));
        Assert.DoesNotContain('\u001b', top.Stdout);
    }

    [Fact]
    public async Task A_bad_range_is_one_line_and_exit_code_2()
    {
        var top = await Canmesh.RunAsync(capture.SocketPath, "top", "--once", "--id", "7FF-700");

        Output.AssertOneErrorLine(top, 2, "runs backwards");
    }

    private sealed record Row(string Interface, string Id, long Count, double Rate, int Length, string Data);

    private static List<Row> Rows(string table) => [.. Output.Lines(table).Select(l => TableRow().Match(l)).Where(m => m.Success).Select(m => new Row(
        m.Groups["iface"].Value,
        m.Groups["id"].Value,
        long.Parse(m.Groups["count"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
        double.Parse(m.Groups["rate"].Value, NumberStyles.Number, CultureInfo.InvariantCulture),
        int.Parse(m.Groups["len"].Value, CultureInfo.InvariantCulture),
        m.Groups["data"].Value.Replace(" ", "", StringComparison.Ordinal)))];

    [GeneratedRegex(@"^\| (?<iface>\S+) +\| +(?<id>[0-9A-F]{3}|[0-9A-F]{8}) \| +(?<count>[\d,]+) \| +(?<rate>[\d.,]+) \| +(?<len>\d+) \| (?<data>[0-9A-F ]*?) *\|$")]
    private static partial Regex TableRow();
}
