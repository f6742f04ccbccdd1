using System.Globalization;

namespace CanMesh.Cli.Tests.Files;

/// <summary>
/// --iface, --id and --from/--to (seq, Unix seconds, ISO-8601) select exactly the frames they name: checked against
/// the imported log's own lines, where seq n is line n (and, after an append, line n of the second log is seq
/// 12974 + n).
/// </summary>
public sealed class FilterTests : IClassFixture<FilterTests.TwoLogs>
{
    private readonly TwoLogs _logs;

    public FilterTests(TwoLogs logs) => _logs = logs;

    /// <summary>savvycan_candump.log (vcan0, seq 1..12974), then the same log renamed to can1 appended (seq 12975..25948).</summary>
    public sealed class TwoLogs : IAsyncLifetime
    {
        public TempFolder Temp { get; } = new();
        public string[] Lines { get; private set; } = [];

        public async Task InitializeAsync()
        {
            var first = await File.ReadAllLinesAsync(Canmesh.Data("savvycan_candump.log"));
            var second = first.Select(l => l.Replace(" vcan0 ", " can1 ", StringComparison.Ordinal)).ToArray();
            await File.WriteAllLinesAsync(Temp.File("second.log"), second);
            Lines = [.. first, .. second];
            await Canmesh.ImportAsync(Canmesh.Data("savvycan_candump.log"), Temp.Database);
            var append = await Canmesh.ExpectAsync(0, "import", Temp.File("second.log"), "--db", Temp.Database);
            Assert.Contains("seq 12975..25948, appended after seq 12974", append.Stdout, StringComparison.Ordinal);
        }

        public Task DisposeAsync()
        {
            Temp.Dispose();
            return Task.CompletedTask;
        }
    }

    private async Task<string[]> ExportAsync(params string[] options)
    {
        var run = await Canmesh.ExpectAsync(0, ["export", "--db", _logs.Temp.Database, .. options]);
        return run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static double Seconds(string line) => double.Parse(line[1..line.IndexOf(')', StringComparison.Ordinal)], CultureInfo.InvariantCulture);

    private static uint Id(string line) => uint.Parse(line.Split(' ')[2].Split('#')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Iface_selects_one_interface_or_several()
    {
        Assert.Equal(_logs.Lines[12974..], await ExportAsync("--iface", "can1"));
        Assert.Equal(_logs.Lines, await ExportAsync("--iface", "vcan0,can1"));
        Assert.Equal(_logs.Lines, await ExportAsync("-i", "can1", "-i", "vcan0"));
    }

    [Fact]
    public async Task Id_selects_single_ids_and_inclusive_hex_ranges()
    {
        var expected = _logs.Lines.Where(l => Id(l) is 0x21A or (>= 0x100 and <= 0x1FF)).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await ExportAsync("--id", "21A,100-1FF"));
        Assert.Equal(_logs.Lines.Where(l => Id(l) == 0x7FF).ToArray(), await ExportAsync("--id", "0x7FF"));
    }

    [Fact]
    public async Task From_and_to_seqs_are_inclusive()
    {
        Assert.Equal(_logs.Lines[99..2000], await ExportAsync("--from", "100", "--to", "2000"));
        Assert.Equal(_logs.Lines[25000..], await ExportAsync("--from", "25001"));
        Assert.Equal(_logs.Lines[..1], await ExportAsync("--to", "1"));
        Assert.Empty(await ExportAsync("--from", "30000"));
    }

    [Fact]
    public async Task From_and_to_times_are_inclusive_in_unix_seconds_and_iso_8601()
    {
        var expected = _logs.Lines.Where(l => Seconds(l) is >= 167 and <= 168).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await ExportAsync("--from", "167.0", "--to", "168.0"));
        Assert.Equal(expected, await ExportAsync("--from", "1970-01-01T00:02:47Z", "--to", "1970-01-01T01:02:48+01:00"));
        Assert.Equal(_logs.Lines.Where(l => Seconds(l) >= 173.5).ToArray(), await ExportAsync("--from", "173.5"));
    }

    [Fact]
    public async Task Seq_time_interface_and_id_filters_combine()
    {
        var expected = _logs.Lines.Select((line, i) => (line, seq: i + 1))
            .Where(x => x.seq >= 5000 && Seconds(x.line) <= 170 && x.line.Contains(" can1 ", StringComparison.Ordinal) && Id(x.line) >= 0x300)
            .Select(x => x.line).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await ExportAsync("--from", "5000", "--to", "170.0", "--iface", "can1", "--id", "300-7FF"));
    }
}
