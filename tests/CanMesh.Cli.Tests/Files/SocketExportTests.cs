namespace CanMesh.Cli.Tests.Files;

/// <summary>
/// Export through a running capture's Query RPC (--socket, or CANMESH_SOCKET) gives the same bytes as export from
/// its database file: the real capture executable, replaying a real log, on a socket in a temp folder.
/// </summary>
public sealed class SocketExportTests
{
    private const int Frames = 12974;

    [Fact]
    public async Task Export_through_the_socket_equals_export_from_the_database_for_every_format_and_filter()
    {
        using var temp = new TempFolder();
        var environment = new CaptureEnvironment(temp).Replay("vcan0", Canmesh.Data("savvycan_candump.log"));
        using var capture = await CaptureServing.StartAndWaitAsync(environment.Variables, temp.Socket);
        await WaitForFramesAsync(temp, capture, Frames);

        string[][] selections =
        [
            [],
            ["--iface", "vcan0", "--id", "100-1FF,21A"],
            ["--from", "100", "--to", "2000"],
            ["--from", "167.0", "--to", "1970-01-01T00:02:48Z"],
            ["--from", "5000", "--to", "170.0", "--id", "300-7FF"],
        ];
        foreach (var format in new[] { "candump", "asc", "csv" })
        {
            foreach (var selection in selections)
            {
                var what = $"-f {format} {string.Join(' ', selection)}";
                var fromFile = await Canmesh.ExpectAsync(0, ["export", "--db", temp.Database, "-f", format, .. selection]);
                var fromSocket = await Canmesh.ExpectAsync(0, ["export", "--socket", temp.Socket, "-f", format, .. selection]);
                Assert.True(fromFile.Stdout.Length > 100, $"{what}: the export from the file is nearly empty:\n{fromFile.Output}");
                Assert.True(fromFile.Stdout == fromSocket.Stdout, $"{what}: socket and file exports differ");
            }
        }

        // CANMESH_SOCKET is the socket when neither --db nor --socket is given.
        var byVariable = await Canmesh.RunAsync(new Dictionary<string, string> { ["CANMESH_SOCKET"] = temp.Socket }, "export");
        Assert.Equal(0, byVariable.ExitCode);
        Assert.Equal(await File.ReadAllTextAsync(Canmesh.Data("savvycan_candump.log")), byVariable.Stdout);
    }

    [Fact]
    public async Task A_database_a_capture_is_writing_exports_while_it_runs()
    {
        using var temp = new TempFolder();
        var environment = new CaptureEnvironment(temp).Sim("sim0", framesPerSecond: 2000);
        using var capture = await CaptureServing.StartAndWaitAsync(environment.Variables, temp.Socket);
        await WaitForFramesAsync(temp, capture, 500);
        var run = await Canmesh.ExpectAsync(0, "export", "--db", temp.Database, "--to", "400");
        Assert.Equal(400, run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains(" sim0 ", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_into_the_database_of_a_running_capture_is_refused_and_the_capture_goes_on()
    {
        using var temp = new TempFolder();
        var environment = new CaptureEnvironment(temp).Sim("sim0", framesPerSecond: 2000);
        using var capture = await CaptureServing.StartAndWaitAsync(environment.Variables, temp.Socket);
        await WaitForFramesAsync(temp, capture, 200);
        var run = await Canmesh.RunAsync("import", Canmesh.Data("savvycan_candump.log"), "--db", temp.Database);
        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Contains("has not stopped: stop it first", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(0L, temp.Scalar("SELECT count(*) FROM interfaces WHERE name = 'vcan0'"));
        var before = temp.Scalar("SELECT max(seq) FROM frames");
        await WaitForFramesAsync(temp, capture, before + 200);
    }

    private static async Task WaitForFramesAsync(TempFolder temp, CaptureProcess capture, long frames)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(capture.HasExited, "the capture exited:\n" + capture.Output);
            try
            {
                if (File.Exists(temp.Database) && temp.Scalar("SELECT count(*) FROM frames") >= frames) return;
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // The schema is being created.
            }
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {frames} frames stored within 60 s:\n{capture.Output}");
            await Task.Delay(100);
        }
    }
}
