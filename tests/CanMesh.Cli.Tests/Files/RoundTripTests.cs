namespace CanMesh.Cli.Tests.Files;

/// <summary>
/// Export -> import -> export gives the same bytes, on the real logs in tests/data, through the real executable
/// and real capture database files.
/// </summary>
public sealed class RoundTripTests
{
    /// <summary>Every kind of frame candump writes, on three interfaces: classic, extended, remote with and without a
    /// length, len8_dlc, error frames, CAN FD with each flags digit (including ones kept as read: ##1, ##0, ##F).</summary>
    internal const string EveryKindLog = """
        (1700000000.000001) can0 123#
        (1700000000.000002) can0 7FF#1122334455667788
        (1700000000.000003) can1 1FFFFFFF#DEADBEEF
        (1700000000.000004) can1 00000123#R
        (1700000000.000005) can0 456#R3
        (1700000000.000006) can0 456#R8_C
        (1700000000.000007) can0 123#1122334455667788_F
        (1700000000.000008) can0 20000004#0004000000000000
        (1700000000.000009) vcan10 123##4
        (1700000000.000010) vcan10 123##5112233
        (1700000000.000011) vcan10 12345678##7000102030405060708090A0B
        (1700000000.000012) vcan10 123##1AABBCCDDEEFF0011
        (1700000000.000013) vcan10 123##0
        (1700000000.000014) vcan10 123##F00
        (1700000000.999999) can0 000#00
        (1700000001.000000) can1 0000007F#01

        """;

    [Fact]
    public async Task A_candump_log_imported_and_exported_is_the_original_file_byte_for_byte()
    {
        using var temp = new TempFolder();
        var original = Canmesh.Data("savvycan_candump.log");
        await Canmesh.ImportAsync(original, temp.File("a.db"));
        var first = await Canmesh.ExportAsync(temp.File("a.db"), temp.File("a.log"));
        Assert.Equal(await File.ReadAllBytesAsync(original), first);

        await Canmesh.ImportAsync(temp.File("a.log"), temp.File("b.db"));
        Assert.Equal(first, await Canmesh.ExportAsync(temp.File("b.db"), temp.File("b.log")));
        Assert.Equal(new object?[] { 12974L, 1L, 12974L }, temp.Query("SELECT count(*), min(seq), max(seq) FROM frames", temp.File("b.db"))[0]);
    }

    [Fact]
    public async Task Every_kind_of_frame_survives_candump_export_import_export_byte_for_byte()
    {
        using var temp = new TempFolder();
        await File.WriteAllTextAsync(temp.File("kinds.log"), EveryKindLog.Replace("\r", "", StringComparison.Ordinal));
        await Canmesh.ImportAsync(temp.File("kinds.log"), temp.File("a.db"));
        var first = await Canmesh.ExportAsync(temp.File("a.db"), temp.File("a.log"));
        // ##4 stays ##4 and the kept digits stay as read: the file comes back as it went in.
        Assert.Equal(await File.ReadAllBytesAsync(temp.File("kinds.log")), first);
        await Canmesh.ImportAsync(temp.File("a.log"), temp.File("b.db"));
        Assert.Equal(first, await Canmesh.ExportAsync(temp.File("b.db"), temp.File("b.log")));
    }

    [Fact]
    public async Task An_asc_file_imported_exported_imported_and_exported_again_gives_the_same_bytes()
    {
        using var temp = new TempFolder();
        await Canmesh.ImportAsync(Canmesh.Data("pythoncan_logfile.asc"), temp.File("a.db"));
        // Frames only: status, statistics, J1939TP and trigger lines are not frames.
        Assert.Equal(20L, temp.Query("SELECT count(*) FROM frames", temp.File("a.db"))[0][0]);
        var first = await Canmesh.ExportAsync(temp.File("a.db"), temp.File("a.asc"), "-f", "asc");
        await Canmesh.ImportAsync(temp.File("a.asc"), temp.File("b.db"));
        var second = await Canmesh.ExportAsync(temp.File("b.db"), temp.File("b.asc"), "-f", "asc");
        Assert.Equal(first, second);
        // And the databases hold the same frames, to the microsecond, on the same interfaces.
        Assert.Equal(await Canmesh.ExportAsync(temp.File("a.db"), temp.File("a.log")), await Canmesh.ExportAsync(temp.File("b.db"), temp.File("b.log")));
    }

    [Fact]
    public async Task The_python_can_asc_file_reads_as_the_frames_it_holds()
    {
        using var temp = new TempFolder();
        await Canmesh.ImportAsync(Canmesh.Data("pythoncan_logfile.asc"), temp.File("a.db"));
        await Canmesh.ExportAsync(temp.File("a.db"), temp.File("a.log"));
        var lines = (await File.ReadAllLinesAsync(temp.File("a.log"))).ToList();
        // The date line is 2017-09-30 15:06:13.191 (read as UTC); frame times are offsets from it.
        Assert.Equal("(1506783975.692000) can0 20000080#0000000000000000", lines[0]);
        Assert.Contains("(1506783975.701001) can1 100#R", lines);            // "2 100 Tx r": remote, no DLC
        Assert.Contains("(1506783975.775921) can3 300#R8", lines);           // "4 300 Tx r 8 Length = ...": remote, DLC 8
        Assert.Contains("(1506783976.289426) can0 18EBFF00#01A00FA6603BD140", lines);
        Assert.Contains("(1506784003.196071) can1 300##50102030405060708", lines);  // CANFD with a symbolic name, BRS
        Assert.Contains("(1506784003.491981) can2 00050005#R5", lines);              // a classic remote frame in CANFD form
        Assert.Contains("(1506784003.997898) can4 20000080#0000000000000000", lines); // CANFD ErrorFrame
        Assert.Equal(20, lines.Count);
    }
}
