using CanMesh.Interop.Tests.Infrastructure;

namespace CanMesh.Interop.Tests;

/// <summary>
/// The example subscriber's candump formatting for every frame kind the recorded log lacks: extended ids,
/// remote frames with and without a length, error frames, CAN FD with BRS/ESI, len8_dlc, two interfaces.
/// A replay keeps recorded timestamps, so what the subscriber prints must be the log it was given, and
/// what `canmesh-capture export` (the C# formatter) writes from the same database.
/// </summary>
public sealed class CandumpFormatTests
{
    private static readonly string[] Log =
    [
        "(1436509052.249713) can0 123#DEADBEEF",
        "(1436509052.249714) can1 12345678#00",
        "(1436509052.249715) can1 7FF#R",
        "(1436509052.249716) can0 00000285#R3",
        "(1436509052.249717) can0 20000004#0004000000000000",
        "(1436509052.249718) can0 456##5112233",
        "(1436509052.249719) can1 1ABCDEF0##6000102030405060708090A0B",
        "(1436509052.249720) can0 001##4",
        "(1436509052.249721) can0 321#1122334455667788_C",
        "(1436509053.000001) can1 000#",
    ];

    [Fact]
    public async Task Every_frame_kind_prints_as_candump_writes_it()
    {
        using var temp = new TempFolder();
        var log = temp.File("kinds.log");
        await File.WriteAllLinesAsync(log, Log);
        var socket = temp.File("capture.sock");
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "replay0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "replay",
            ["CANMESH_CAPTURE__INTERFACES__0__PATH"] = log,
            ["CANMESH_CAPTURE__EXITWHENSOURCESEND"] = "false",
            ["CANMESH_CAPTURE__STATS__INTERVAL"] = "0s",
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = socket,
        };
        using (var capture = CaptureProcess.Start(environment))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(socket) && !capture.HasExited && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(File.Exists(socket), "the capture did not open its socket:\n" + capture.Stdout + capture.Stderr);

            // Subscribe waits for commits, so the count bounds the run even if the replay is still being written.
            ProcessResult run = (await InteropTools.RunSubscriberAsync(socket, "--name", "kinds", "--count", Log.Length.ToString())).EnsureSuccess();

            Assert.Equal(Log, run.Lines);
            capture.Terminate();
            Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(15)), "no exit after SIGTERM:\n" + capture.Stdout);
        }

        using var export = CaptureProcess.Start("export", "--database", temp.Database);
        Assert.True(export.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, export.ExitCode);
        Assert.Equal(Log, export.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
