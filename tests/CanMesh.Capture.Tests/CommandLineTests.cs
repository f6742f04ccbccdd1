using CanMesh.Capture.Tests.Infrastructure;

namespace CanMesh.Capture.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Help_describes_the_service_and_its_options()
    {
        using var capture = CaptureProcess.Start("--help");
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, capture.ExitCode);
        Assert.Contains("--config", capture.Stdout);
        Assert.Contains("export", capture.Stdout);
        Assert.Contains("SIGTERM", capture.Stdout);
    }

    [Fact]
    public void A_bad_configuration_stops_the_service_with_every_problem_named()
    {
        using var temp = new TempFolder();
        var config = temp.File("bad.json");
        File.WriteAllText(config, """
            {
              "Capture": {
                "Interfaces": [ { "Name": "can0", "Source": "socketcan", "ReceiveBuffer": "lots", "Filters": "123:7FF,xyz" } ],
                "Queue": { "CapacityFrames": "-5" },
                "Comit": { "MaxFrames": 10 }
              },
              "Store": { "Synchronous": "sometimes" }
            }
            """);
        using var capture = CaptureProcess.Start("--config", config);
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, capture.ExitCode);
        var stderr = capture.Stderr;
        Assert.Contains("Capture:Interfaces:0:ReceiveBuffer (env CANMESH_CAPTURE__INTERFACES__0__RECEIVEBUFFER) = 'lots'", stderr);
        Assert.Contains("Capture:Interfaces:0:Filters = 'xyz'".Replace(" = ", " (env CANMESH_CAPTURE__INTERFACES__0__FILTERS) = "), stderr);
        Assert.Contains("Capture:Queue:CapacityFrames (env CANMESH_CAPTURE__QUEUE__CAPACITYFRAMES) = '-5': a whole number from 1024", stderr);
        Assert.Contains("Capture:Comit:MaxFrames (env CANMESH_CAPTURE__COMIT__MAXFRAMES) = '10': unknown setting", stderr);
        Assert.Contains("Store:Synchronous (env CANMESH_STORE__SYNCHRONOUS) = 'sometimes': allowed values are full, normal", stderr);
        Assert.False(File.Exists(temp.Database));
    }

    [Fact]
    public void A_missing_configuration_file_is_named()
    {
        using var capture = CaptureProcess.Start("--config", "/nonexistent/capture.json");
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, capture.ExitCode);
        Assert.Contains("--config /nonexistent/capture.json: no such file", capture.Stderr);
    }

    [Fact]
    public void Export_writes_the_capture_back_as_the_identical_candump_log()
    {
        using var temp = new TempFolder();
        var log = Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "replay0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "replay",
            ["CANMESH_CAPTURE__INTERFACES__0__PATH"] = log,
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.File("capture.sock"),
        };
        using (var capture = CaptureProcess.Start(environment))
        {
            Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(60)), capture.Stdout);
            Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Stdout}{capture.Stderr}");
        }
        var exported = temp.File("export.log");
        using (var export = CaptureProcess.Start("export", "--database", temp.Database, "--output", exported))
        {
            Assert.True(export.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, export.ExitCode);
            Assert.Contains("Exported 12974 frames", export.Stderr);
        }
        Assert.Equal(File.ReadAllBytes(log), File.ReadAllBytes(exported));
    }

    [Fact]
    public void Export_writes_every_can_fd_flags_digit_back_as_the_replayed_log_had_it()
    {
        using var temp = new TempFolder();
        // Digits 0-3 as a kernel or can-utils without FDF writes them, 8-F with the undefined bit: parse, store and
        // export must keep each one (frames.flags bits 12-15).
        int[] fdLengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
        var lines = Enumerable.Range(0, 16).Select(d => $"(1700000000.{d * 150:D6}) can1 {0x7E0 + d:X3}##{d:X}{new string('A', 2 * fdLengths[d])}")
            .Append("(1700000000.002400) can0 123#DEADBEEF")
            .Append("(1700000000.002550) can1 1FFFFFFF##F" + string.Concat(Enumerable.Repeat("0123456789ABCDEF", 8)));
        var log = temp.File("digits.log");
        File.WriteAllText(log, string.Concat(lines.Select(l => l + "\n")));
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "replay0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "replay",
            ["CANMESH_CAPTURE__INTERFACES__0__PATH"] = log,
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.Socket,
        };
        using (var capture = CaptureProcess.Start(environment))
        {
            Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(60)), capture.Output);
            Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");
        }
        Assert.Equal(18, temp.Scalar("SELECT count(*) FROM frames"));
        var exported = temp.File("export.log");
        using (var export = CaptureProcess.Start("export", "--database", temp.Database, "--output", exported))
        {
            Assert.True(export.WaitForExit(TimeSpan.FromSeconds(60)), export.Output);
            Assert.True(export.ExitCode == 0, export.Output);
        }
        Assert.Equal(File.ReadAllText(log), File.ReadAllText(exported));
    }
}
