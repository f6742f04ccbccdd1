using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using CanMesh.Bench.Capture;
using CanMesh.Store;

namespace CanMesh.Bench.Anchors;

/// <summary>
/// Runs the anchors the capture benchmark is compared against, in the same session and on the same rows:
/// the plain C insert loop (compiled here with gcc, once against the system libsqlite3 and once against the
/// e_sqlite3 library CanMesh loads) and the seed's Python path.
/// </summary>
internal sealed class AnchorRunner
{
    private readonly string _directory;
    private readonly string _rowsPath;
    private readonly string _sourceDirectory;

    public AnchorRunner(string directory, FramePool pool)
    {
        _directory = directory;
        _sourceDirectory = Path.Combine(AppContext.BaseDirectory, "anchors");
        _rowsPath = Path.Combine(directory, $"rows-{Environment.ProcessId}.bin");
        pool.WriteRowsFile(_rowsPath);
    }

    /// <summary>
    /// Compiles the C loop. Returns the executable, or null and a reason (printed, not thrown: the
    /// capture benchmark still runs without its anchors).
    /// </summary>
    public string? CompileC(bool againstBundledSqlite, out string? why)
    {
        var source = Path.Combine(_sourceDirectory, "sqlite_insert.c");
        var output = Path.Combine(_directory, againstBundledSqlite ? $"sqlite_insert_e_sqlite3-{Environment.ProcessId}" : $"sqlite_insert-{Environment.ProcessId}");
        List<string> arguments = ["-O2", "-o", output, source];
        if (againstBundledSqlite)
        {
            var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64", "native");
            if (!File.Exists(Path.Combine(native, "libe_sqlite3.so")))
            {
                why = $"no libe_sqlite3.so in {native}";
                return null;
            }
            arguments.AddRange(["-L" + native, "-l:libe_sqlite3.so", "-lm", "-Wl,-rpath," + native]);
        }
        else
        {
            arguments.Add("-lsqlite3");
        }
        var (exit, _, error) = Execute("gcc", arguments);
        if (exit != 0)
        {
            why = $"gcc failed ({exit}): {error.Trim()} (needs gcc and libsqlite3-dev: apt-get install gcc libsqlite3-dev)";
            return null;
        }
        why = null;
        return output;
    }

    public AnchorResult RunC(string executable, long frames, int commitFrames, SynchronousMode synchronous) =>
        RunProgram(executable, [], frames, commitFrames, synchronous);

    public AnchorResult RunPython(long frames, int batchFrames, SynchronousMode synchronous) =>
        RunProgram("python3", [Path.Combine(_sourceDirectory, "seed_python.py")], frames, batchFrames, synchronous);

    private AnchorResult RunProgram(string program, List<string> arguments, long frames, int commitFrames, SynchronousMode synchronous)
    {
        var database = Path.Combine(_directory, $"anchor-{Environment.ProcessId}.db");
        Delete(database);
        try
        {
            arguments.AddRange([_rowsPath, database, frames.ToString(CultureInfo.InvariantCulture),
                commitFrames.ToString(CultureInfo.InvariantCulture), synchronous == SynchronousMode.Full ? "full" : "normal"]);
            var (exit, output, error) = Execute(program, arguments);
            if (exit != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({exit}): {error.Trim()}");
            var values = output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
            long Int(string key) => long.Parse(values[key], CultureInfo.InvariantCulture);
            if (Int("rows") != frames || Int("min_seq") != 1 || Int("max_seq") != frames)
            {
                throw new InvalidOperationException($"{program} stored {values["rows"]} rows, {values["min_seq"]}..{values["max_seq"]}; expected {frames}.");
            }
            return new AnchorResult(frames, double.Parse(values["seconds"], CultureInfo.InvariantCulture),
                double.Parse(values["cpu_seconds"], CultureInfo.InvariantCulture), Int("commits"),
                Int("payload_bytes"), values.GetValueOrDefault("sqlite", "?"));
        }
        finally
        {
            Delete(database);
        }
    }

    public void Cleanup()
    {
        File.Delete(_rowsPath);
        File.Delete(Path.Combine(_directory, $"sqlite_insert-{Environment.ProcessId}"));
        File.Delete(Path.Combine(_directory, $"sqlite_insert_e_sqlite3-{Environment.ProcessId}"));
    }

    private static (int Exit, string Output, string Error) Execute(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"cannot start {program}: {e.Message}");
        }
    }

    private static void Delete(string database)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(database + suffix);
    }
}
