using CanMesh.Capture.Tests.Infrastructure;

namespace CanMesh.Capture.Tests;

/// <summary>
/// A capture database that cannot be opened at start: the executable says so in one line naming Store:Path, its
/// environment variable, what is wrong and what to do, with no stack trace from the host, and exits non-zero.
/// </summary>
public sealed class StoreStartupTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [SmallFileSystemFact]
    public void A_store_folder_on_a_read_only_file_system_is_named_with_its_setting_in_one_line()
    {
        // Read-only for root too: the tests run as root, whom chmod does not stop.
        using var fs = new SmallFileSystem(1 << 20, readOnly: true);
        using var temp = new TempFolder();
        var environment = new CaptureEnvironment(temp).Sim("sim0", 100).Variables.ToDictionary();
        environment["CANMESH_STORE__PATH"] = fs.File("capture.db");

        var line = SingleLineOfAFailedStart(environment);
        Assert.Contains($"Store:Path (env CANMESH_STORE__PATH) = '{fs.File("capture.db")}': {fs.Path} is on a read-only file system. Remount it read-write, " +
            "or set Store:Path (env CANMESH_STORE__PATH) to another path.", line);
    }

    [Fact]
    public void A_store_path_through_a_regular_file_is_named_with_its_setting_in_one_line()
    {
        using var temp = new TempFolder();
        var file = temp.File("not-a-folder");
        File.WriteAllText(file, "a file where the path needs a folder");
        var database = Path.Combine(file, "canmesh", "capture.db");
        var environment = new CaptureEnvironment(temp).Sim("sim0", 100).Variables.ToDictionary();
        environment["CANMESH_STORE__PATH"] = database;

        var line = SingleLineOfAFailedStart(environment);
        Assert.Contains($"Store:Path (env CANMESH_STORE__PATH) = '{database}': {file} is a file, so the folder {Path.Combine(file, "canmesh")} cannot be made. " +
            $"Move {file} away, or set Store:Path (env CANMESH_STORE__PATH) to another path.", line);
    }

    /// <summary>The default /var/lib/canmesh as a service account meets it: only root may make a folder in /var/lib.</summary>
    [UnprivilegedUserFact]
    public void The_default_store_folder_that_the_service_user_may_not_make_is_named_with_its_setting_and_the_fix()
    {
        // Where the capture has run as root before, the folder is there, root's: then it is the one nobody may not write in.
        var unwritable = Directory.Exists("/var/lib/canmesh") ? "/var/lib/canmesh" : "/var/lib";
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "sim0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "sim",
            // The API's default socket folder (/run/canmesh) is not this case.
            ["CANMESH_API__ENABLED"] = "false",
        };

        using var capture = CaptureProcess.StartAsUser(UnprivilegedUserFactAttribute.Nobody, environment);
        var line = SingleLineOfAFailedStart(capture);
        Assert.Contains($"Store:Path (env CANMESH_STORE__PATH) = '/var/lib/canmesh/capture.db' (the default): the user nobody may not write in {unwritable}. " +
            "Give nobody a folder of its own (`sudo install -d -o nobody /var/lib/canmesh`), or set Store:Path (env CANMESH_STORE__PATH) to another path.", line);
    }

    private static string SingleLineOfAFailedStart(Dictionary<string, string> environment)
    {
        using var capture = CaptureProcess.Start(environment);
        return SingleLineOfAFailedStart(capture);
    }

    private static string SingleLineOfAFailedStart(CaptureProcess capture)
    {
        Assert.True(capture.WaitForExit(Timeout), "still running with a store it cannot open:\n" + capture.Output);
        Assert.True(capture.ExitCode != 0, "exit code 0 without a store:\n" + capture.Output);
        // One line: no "Hosting failed to start" from the host, no stack trace, nothing else.
        var line = Assert.Single(capture.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("Capture failed: Cannot open the capture database: ", line);
        return line;
    }
}
