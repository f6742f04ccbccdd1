using Microsoft.Data.Sqlite;

namespace CanMesh.Cli.Tests.Files;

/// <summary>Bad input gets one clear line on standard error and a non-zero exit code, never a stack trace.</summary>
public sealed class BadInputTests
{
    private static void AssertOneLine(CliProcess run, int exitCode, string expected)
    {
        Assert.True(run.ExitCode == exitCode, $"exit code {run.ExitCode}, expected {exitCode}:\n{run.Output}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr:\n" + run.Stderr);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task A_file_that_is_not_a_capture_database_is_refused_and_left_unchanged()
    {
        using var temp = new TempFolder();
        var text = temp.File("notes.txt");
        await File.WriteAllTextAsync(text, "not a database\n");
        AssertOneLine(await Canmesh.RunAsync("export", "--db", text), 2, "is not a CanMesh capture database");

        // Someone else's SQLite file: refused, and no CanMesh tables are added to it.
        var other = temp.File("other.db");
        using (var connection = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE t(x)";
            create.ExecuteNonQuery();
        }
        AssertOneLine(await Canmesh.RunAsync("export", "--db", other), 2, "is not a CanMesh capture database");
        AssertOneLine(await Canmesh.RunAsync("import", Canmesh.Data("savvycan_candump.log"), "--db", other), 2, "is not a CanMesh capture database");
        Assert.Equal("t", temp.Query("SELECT group_concat(name) FROM sqlite_master", other)[0][0]);
        Assert.Equal("not a database\n", await File.ReadAllTextAsync(text));
    }

    [Fact]
    public async Task A_missing_database_or_log_is_named()
    {
        using var temp = new TempFolder();
        AssertOneLine(await Canmesh.RunAsync("export", "--db", temp.File("missing.db")), 2, "missing.db does not exist");
        Assert.False(File.Exists(temp.File("missing.db")));
        AssertOneLine(await Canmesh.RunAsync("import", temp.File("missing.log"), "--db", temp.Database), 2, "missing.log does not exist");
    }

    [Theory]
    [InlineData("--from", "12x", "--from '12x'")]
    [InlineData("--from", "2026-12-02T10:00:00", "--from '2026-12-02T10:00:00'")] // no zone: refused, not guessed
    [InlineData("--to", "0", "--to '0'")]
    [InlineData("--to", "1700000000.5.5", "--to '1700000000.5.5'")]
    [InlineData("--id", "800-100", "'800-100' runs backwards")]
    [InlineData("--id", "12G", "'12G' is not a hex id or range")]
    [InlineData("--id", "1,,2", "'' is not a hex id or range")]
    public async Task A_malformed_range_or_id_list_is_bad_usage(string option, string value, string expected)
    {
        using var temp = new TempFolder();
        await Canmesh.ImportAsync(Canmesh.Data("savvycan_candump.log"), temp.Database);
        AssertOneLine(await Canmesh.RunAsync("export", "--db", temp.Database, option, value), 2, expected);
    }

    [Fact]
    public async Task Reversed_bounds_an_unknown_interface_and_both_sources_are_bad_usage()
    {
        using var temp = new TempFolder();
        await Canmesh.ImportAsync(Canmesh.Data("savvycan_candump.log"), temp.Database);
        AssertOneLine(await Canmesh.RunAsync("export", "--db", temp.Database, "--from", "10", "--to", "5"), 2, "--from seq 10 is above --to seq 5");
        AssertOneLine(await Canmesh.RunAsync("export", "--db", temp.Database, "--from", "170.0", "--to", "169.0"), 2, "--from is a later time than --to");
        AssertOneLine(await Canmesh.RunAsync("export", "--db", temp.Database, "--iface", "can7"), 2, "has no interface of that name (it has: vcan0)");
        AssertOneLine(await Canmesh.RunAsync("export", "--db", temp.Database, "--socket", temp.Socket), 2, "not both");
    }

    [Fact]
    public async Task An_unknown_socket_is_one_line_and_leaves_no_output_file()
    {
        using var temp = new TempFolder();
        AssertOneLine(await Canmesh.RunAsync("export", "--socket", temp.File("nothing.sock"), "-o", temp.File("out.log")), 1, "No capture service socket at");
        Assert.False(File.Exists(temp.File("out.log")));
        AssertOneLine(await Canmesh.RunAsync(new Dictionary<string, string> { ["CANMESH_SOCKET"] = temp.File("env.sock") }, "export"), 1, "env.sock");

        // A socket file nobody listens on (bound, never listening: connections are refused).
        var stale = temp.File("stale.sock");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(stale));
        AssertOneLine(await Canmesh.RunAsync("export", "--socket", stale), 1, "Cannot reach a capture service at");
    }

    [Fact]
    public async Task Import_reports_each_malformed_line_by_number_keeps_every_frame_that_parsed_and_exits_1()
    {
        using var temp = new TempFolder();
        var log = temp.File("bad.log");
        await File.WriteAllTextAsync(log, """
            (1.000000) can0 123#11
            garbage
            (2.000000) can0 1234#11
            (3.000000) can0 124#22
            (4.000000) can0 125#1122334455667788AA

            """.Replace("\r", "", StringComparison.Ordinal));
        var run = await Canmesh.RunAsync("import", log, "--db", temp.Database);
        Assert.True(run.ExitCode == 1, run.Output);
        var report = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, report.Length);
        Assert.StartsWith($"{log}:2: ", report[0], StringComparison.Ordinal);
        Assert.StartsWith($"{log}:3: ", report[1], StringComparison.Ordinal);
        Assert.StartsWith($"{log}:5: ", report[2], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.Contains("imported 2 frames", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 malformed lines skipped", run.Stdout, StringComparison.Ordinal);
        var export = await Canmesh.ExpectAsync(0, "export", "--db", temp.Database);
        Assert.Equal("(1.000000) can0 123#11\n(3.000000) can0 124#22\n", export.Stdout);
    }

    [Fact]
    public async Task Import_reports_malformed_asc_frame_lines_by_number_and_ignores_other_events()
    {
        using var temp = new TempFolder();
        var log = temp.File("bad.asc");
        await File.WriteAllTextAsync(log, """
            date Wed Dec 02 10:00:00.000 am 2026
            base hex  timestamps absolute
            no internal events logged
               0.000000 Start of measurement
               0.001000 1  123             Rx   d 2 11 22
               0.002000 1  123             Rx   d 4 11 22
               0.003000 1  Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%
               0.004000 1  800             Rx   d 1 33
               0.005000 2  1FFFFFFFx       Rx   r 2

            """.Replace("\r", "", StringComparison.Ordinal));
        var run = await Canmesh.RunAsync("import", log, "--db", temp.Database);
        Assert.True(run.ExitCode == 1, run.Output);
        var report = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, report.Length);
        Assert.StartsWith($"{log}:6: fewer data bytes than the DLC says", report[0], StringComparison.Ordinal);
        Assert.StartsWith($"{log}:8: id too large for its format", report[1], StringComparison.Ordinal);
        var export = await Canmesh.ExpectAsync(0, "export", "--db", temp.Database);
        Assert.Equal("(1796205600.001000) can0 123#1122\n(1796205600.005000) can1 1FFFFFFF#R2\n", export.Stdout);
    }
}
