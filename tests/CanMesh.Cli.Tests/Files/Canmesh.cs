using System.Diagnostics;
using System.Text;
using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Cli.Tests.Files;

/// <summary>Runs the real canmesh executable and the can-utils tools for the export/import tests.</summary>
internal static class Canmesh
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    public static Task<CliProcess> RunAsync(params string[] arguments) => CliProcess.RunAsync(NoEnvironment, arguments);

    public static Task<CliProcess> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        CliProcess.RunAsync(environment, arguments);

    /// <summary>Runs canmesh and fails the test with its output unless it exits with <paramref name="exitCode"/>.</summary>
    public static async Task<CliProcess> ExpectAsync(int exitCode, params string[] arguments)
    {
        var run = await RunAsync(arguments);
        Assert.True(run.ExitCode == exitCode, $"canmesh {string.Join(' ', arguments)} exited {run.ExitCode}, expected {exitCode}:\n{run.Output}");
        return run;
    }

    public static async Task ImportAsync(string log, string db) => await ExpectAsync(0, "import", log, "--db", db);

    /// <summary>Exports to a file and returns its bytes.</summary>
    public static async Task<byte[]> ExportAsync(string db, string output, params string[] options)
    {
        await ExpectAsync(0, ["export", "--db", db, "-o", output, .. options]);
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>Runs a can-utils tool to its end, without blocking a thread; fails the test unless it exits 0.</summary>
    public static async Task<string> ToolAsync(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["TZ"] = "UTC";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await stdout}{await stderr}");
        return await stdout + await stderr;
    }

    /// <summary>A candump log's frames with their interface names, parsed by the core parser (a trailing R/T direction is allowed).</summary>
    public static List<(CanFrame Frame, string Interface)> ParseCandump(string path)
    {
        var list = new List<(CanFrame, string)>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            var frame = new CanFrame();
            Assert.True(CandumpLineParser.TryParse(line, ref frame, out var name, out var error), $"{path}:{number}: {error}: {line}");
            list.Add((frame, line[name]));
        }
        return list;
    }

    /// <summary>
    /// Asserts two frame lists are the same frames: ids, flags (BRS/ESI, not how an FD flags digit was spelled), lengths,
    /// data, timestamps to the microsecond counted from each list's first frame (asc2log puts its own base time under an
    /// ASC file's offsets), and interfaces matched one to one by first appearance.
    /// </summary>
    public static void AssertSameFrames(List<(CanFrame Frame, string Interface)> expected, List<(CanFrame Frame, string Interface)> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} frames, expected {expected.Count}");
        if (expected.Count == 0) return;
        var names = new Dictionary<string, string>();
        long expectedBase = expected[0].Frame.TimestampNs / 1000, actualBase = actual[0].Frame.TimestampNs / 1000;
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, ei) = expected[i];
            var (a, ai) = actual[i];
            if (!names.TryGetValue(ei, out var mapped))
            {
                Assert.DoesNotContain(ai, names.Values);
                names[ei] = mapped = ai;
            }
            var context = $"{what}, frame {i + 1}: expected {e} on {ei}, got {a} on {ai}";
            Assert.True(mapped == ai, context);
            Assert.True(e.Id == a.Id && e.Flags == a.Flags && e.Length == a.Length && e.Len8Dlc == a.Len8Dlc && e.ReadOnlyData.SequenceEqual(a.ReadOnlyData), context);
            Assert.True(e.TimestampNs / 1000 - expectedBase == a.TimestampNs / 1000 - actualBase, context + " (time from the first frame differs)");
        }
    }
}
