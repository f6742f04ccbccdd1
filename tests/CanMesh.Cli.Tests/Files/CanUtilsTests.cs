namespace CanMesh.Cli.Tests.Files;

/// <summary>
/// can-utils as independent readers of what canmesh writes: asc2log reads the ASC export back to the frames of the
/// candump export, and log2asc reads the candump export. (canplayer cannot run here: it opens a CAN socket before it
/// reads a line, and this kernel has no AF_CAN; log2asc uses the same candump parser, parse_canframe.)
/// </summary>
public sealed class CanUtilsTests
{
    [Theory]
    [InlineData("savvycan_candump.log")]
    [InlineData("pythoncan_logfile.asc")]
    public async Task Asc2log_reads_the_asc_export_back_to_the_frames_of_the_candump_export(string log)
    {
        using var temp = new TempFolder();
        await Canmesh.ImportAsync(Canmesh.Data(log), temp.Database);
        await Canmesh.ExportAsync(temp.Database, temp.File("export.log"));
        await Canmesh.ExportAsync(temp.Database, temp.File("export.asc"), "--format", "asc");

        await Canmesh.ToolAsync("asc2log", "-I", temp.File("export.asc"), "-O", temp.File("asc2log.log"));

        var expected = Canmesh.ParseCandump(temp.File("export.log"));
        // can-utils 2020.11's asc2log writes a CAN FD frame's flags digit without FDF (##1 for BRS): the parser keeps
        // that as FdFlagsExtra, which AssertSameFrames does not compare; BRS and ESI themselves must match.
        Canmesh.AssertSameFrames(expected, Canmesh.ParseCandump(temp.File("asc2log.log")), $"asc2log of the ASC export of {log}");
    }

    /// <remarks>
    /// Without the len8_dlc frames: canmesh writes their DLC (<c>d f</c>, <c>r c</c>), which asc2log reads as len8_dlc
    /// in current can-utils (its eval_can: "dlc > 8 => len == CAN_MAX_DLEN => fill len8_dlc value"), but the
    /// can-utils 2020.11 installed here drops a data frame with a DLC above 8 and reads such a remote frame as R0.
    /// </remarks>
    [Fact]
    public async Task Asc2log_reads_every_kind_of_frame_but_error_details_which_ASC_has_no_place_for()
    {
        using var temp = new TempFolder();
        var kinds = RoundTripTests.EveryKindLog.Replace("\r", "", StringComparison.Ordinal).Split('\n').Where(l => !l.Contains('_', StringComparison.Ordinal));
        await File.WriteAllTextAsync(temp.File("kinds.log"), string.Join('\n', kinds));
        await Canmesh.ImportAsync(temp.File("kinds.log"), temp.Database);
        await Canmesh.ExportAsync(temp.Database, temp.File("export.log"));
        await Canmesh.ExportAsync(temp.Database, temp.File("export.asc"), "--format", "asc");
        await Canmesh.ToolAsync("asc2log", "-I", temp.File("export.asc"), "-O", temp.File("asc2log.log"));

        var expected = Canmesh.ParseCandump(temp.File("export.log"));
        var actual = Canmesh.ParseCandump(temp.File("asc2log.log"));
        for (var i = 0; i < expected.Count; i++)
        {
            if (!expected[i].Frame.IsError) continue;
            // An ASC ErrorFrame line says only "error": asc2log and canmesh both read it as a bus error (class 0x80).
            Assert.True(actual[i].Frame.IsError && actual[i].Frame.Id == 0x80, $"frame {i + 1}: {actual[i].Frame}");
            var frame = expected[i].Frame;
            frame.Id = 0x80;
            ((Span<byte>)frame.Payload)[..8].Clear();
            expected[i] = (frame, expected[i].Interface);
        }
        Canmesh.AssertSameFrames(expected, actual, "asc2log of the ASC export of every kind of frame");
    }

    /// <summary>
    /// The other header settings CANalyzer writes: decimal ids and bytes, relative timestamps (each frame counts from
    /// the one before), 4 decimals. canmesh reads them as asc2log does.
    /// </summary>
    [Fact]
    public async Task Decimal_base_and_relative_timestamps_read_as_asc2log_reads_them()
    {
        using var temp = new TempFolder();
        var asc = temp.File("dec.asc");
        await File.WriteAllTextAsync(asc, string.Join('\n',
            "date Wed Dec 02 10:00:00.000 am 2026",
            "base dec  timestamps relative",
            "internal events logged",
            "   0.0000 Start of measurement",
            "   0.0010 1  291             Rx   d 3 17 34 51",
            "   0.5000 2  2047            Tx   d 1 255",
            "   1.0001 1  1000x           Rx   r 4",
            "   0.0100 1  Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%",
            "   0.0002 2  16              Rx   d 0",
            ""));
        await Canmesh.ImportAsync(asc, temp.Database);
        var export = await Canmesh.ExpectAsync(0, "export", "--db", temp.Database);
        Assert.Equal(string.Join('\n',
            "(1796205600.001000) can0 123#112233",
            "(1796205600.501000) can1 7FF#FF",
            "(1796205601.501100) can0 000003E8#R4",
            "(1796205601.501300) can1 010#",
            ""), export.Stdout);

        await File.WriteAllTextAsync(temp.File("export.log"), export.Stdout);
        await Canmesh.ToolAsync("asc2log", "-I", asc, "-O", temp.File("asc2log.log"));
        Canmesh.AssertSameFrames(Canmesh.ParseCandump(temp.File("export.log")), Canmesh.ParseCandump(temp.File("asc2log.log")), "decimal, relative ASC");
    }

    [Fact]
    public async Task Log2asc_reads_the_candump_export_and_asc2log_takes_its_output_back_to_the_same_frames()
    {
        using var temp = new TempFolder();
        await Canmesh.ImportAsync(Canmesh.Data("pythoncan_logfile.asc"), temp.Database);
        await Canmesh.ExportAsync(temp.Database, temp.File("export.log"));

        // log2asc numbers channels by the interfaces listed; every one must be known to it.
        await Canmesh.ToolAsync("log2asc", "-I", temp.File("export.log"), "-O", temp.File("log2asc.asc"), "can0", "can1", "can2", "can3", "can4");
        await Canmesh.ToolAsync("asc2log", "-I", temp.File("log2asc.asc"), "-O", temp.File("back.log"));

        var expected = Canmesh.ParseCandump(temp.File("export.log"));
        var back = Canmesh.ParseCandump(temp.File("back.log"));
        Canmesh.AssertSameFrames(expected, back, "candump export -> log2asc -> asc2log");
    }

    [Fact]
    public async Task Log2asc_reads_every_line_of_the_candump_export_of_a_real_log()
    {
        using var temp = new TempFolder();
        await Canmesh.ImportAsync(Canmesh.Data("savvycan_candump.log"), temp.Database);
        await Canmesh.ExportAsync(temp.Database, temp.File("export.log"));
        await Canmesh.ToolAsync("log2asc", "-I", temp.File("export.log"), "-O", temp.File("log2asc.asc"), "vcan0");
        // Header (3 lines) plus one frame line per frame: nothing was skipped.
        var frameLines = File.ReadLines(temp.File("log2asc.asc")).Count(l => l.Contains(" Rx ", StringComparison.Ordinal));
        Assert.Equal(12974, frameLines);
    }
}
