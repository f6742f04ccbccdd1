using System.CommandLine;
using System.Diagnostics;
using CanMesh.Candump;
using CanMesh.Cli.Formats;
using CanMesh.Cli.Offline;

namespace CanMesh.Cli.Commands;

/// <summary>
/// canmesh import: a candump log or Vector ASC file into a capture database (new, or appended after the frames it
/// holds), for analysis and for seeding tests. Lines that are not frames are reported with their numbers and
/// skipped; everything that parsed is kept.
/// </summary>
internal static class ImportCommand
{
    /// <summary>Skipped lines printed one by one; beyond this only the count.</summary>
    private const int MaxReportedLines = 50;

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The log: candump -l format, or Vector ASC (.asc)." };
        var db = new Option<string>("--db")
        {
            Description = "The capture database: created if missing; if it holds frames, the log's frames are appended after them (seqs continue).",
            HelpName = "PATH",
            Required = true,
        };
        var format = new Option<string>("--format", "-f") { Description = "candump or asc (default: asc for a .asc file, else candump)." };
        var force = new Option<bool>("--force")
        {
            Description = "Import even though the database is marked as written by a running capture (only when that capture crashed and is not running).",
        };
        format.AcceptOnlyFromAmong([.. FrameLogFormats.All.Where(f => f.CreateReader is not null).Select(f => f.Name)]);

        var command = new Command("import",
            "Load a candump log or Vector ASC file into a capture database, as a capture would have stored it (dense seqs, interfaces, time index). " +
            "Malformed lines are reported as FILE:LINE: reason and skipped, the rest is imported; the exit code is then 1. " +
            "Example: canmesh import drive.log --db drive.db")
        {
            file, db, format, force,
        };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(file)!;
                if (!File.Exists(path)) throw CliFailure.Usage($"{path} does not exist.");
                var chosen = parse.GetValue(format) is { } name ? FrameLogFormats.Find(name)! : FrameLogFormats.ForFile(path);
                var dbPath = parse.GetValue(db)!;
                long reported = 0;
                void OnSkipped(CandumpSkippedLine line)
                {
                    if (++reported <= MaxReportedLines) Console.Error.WriteLine(line.ToString());
                }
                var watch = Stopwatch.StartNew();
                var size = new FileInfo(path).Length;
                var result = ProgressDisplay.Wanted(size / 40) // about 40 bytes a line
                    ? ProgressDisplay.RunAsync("import", size, progress => Task.FromResult(Importer.Run(path, chosen, dbPath, parse.GetValue(force), OnSkipped, progress))).GetAwaiter().GetResult()
                    : Importer.Run(path, chosen, dbPath, parse.GetValue(force), OnSkipped, null);
                if (reported > MaxReportedLines) Console.Error.WriteLine($"... and {reported - MaxReportedLines} more skipped lines");
                var seqs = result.Frames > 0 ? $"seq {result.FirstSeq}..{result.LastSeq}" : "no frames";
                var appended = result.PreviousSeq > 0 ? $", appended after seq {result.PreviousSeq}" : "";
                Console.WriteLine($"imported {result.Frames} frames from {path} ({chosen.Name}) into {dbPath}: {seqs}{appended}; " +
                    $"{result.MalformedLines} malformed lines skipped, {result.IgnoredLines} other lines ignored; {watch.Elapsed.TotalSeconds:0.00} s");
                return result.MalformedLines > 0 ? ExitCodes.Failed : ExitCodes.Ok;
            }
            catch (Exception e)
            {
                return ExportCommand.Report(e);
            }
        });
        return command;
    }
}
