using System.CommandLine;
using System.Diagnostics;
using CanMesh.Cli.Formats;
using CanMesh.Cli.Offline;

namespace CanMesh.Cli.Commands;

/// <summary>
/// canmesh export: stored frames as a candump log, Vector ASC or CSV, from a capture database file (--db) or from
/// a running capture (--socket / CANMESH_SOCKET), to a file (--output) or standard output.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "Read this capture database file offline (a running capture may be writing it).", HelpName = "PATH" };
        var socket = SocketOption.Create();
        socket.Description = "Read through a running capture's API socket instead of --db (default: $CANMESH_SOCKET, else /run/canmesh/capture.sock).";
        var from = new Option<string>("--from") { Description = $"First frame, inclusive: {RangeBound.Syntax}.", HelpName = "SEQ|TIME" };
        var to = new Option<string>("--to") { Description = "Last frame, inclusive; same forms as --from (a seq and a time may be mixed).", HelpName = "SEQ|TIME" };
        var iface = new Option<string[]>("--iface", "-i")
        {
            Description = "Only these interfaces (repeat the option or separate names with commas).",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = true,
        };
        var id = new Option<string>("--id") { Description = "Only these ids, hex: single ids and inclusive ranges, comma separated (100-1FF,7DF).", HelpName = "IDS" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "candump (canplayer replays it), asc (Vector ASC; asc2log reads it) or csv (header: " + Formats.Csv.CsvWriter.Header + ").",
            DefaultValueFactory = _ => "candump",
        };
        format.AcceptOnlyFromAmong([.. FrameLogFormats.All.Select(f => f.Name)]);
        var output = new Option<string>("--output", "-o") { Description = "Write to this file instead of standard output.", HelpName = "FILE" };

        var command = new Command("export",
            "Write stored frames, in seq order, as a candump log, Vector ASC or CSV. " +
            "Examples: canmesh export --db capture.db -o all.log; " +
            "canmesh export --db capture.db --from 2026-12-02T10:00:00Z --to 2026-12-02T10:05:00Z --iface can0 --id 100-1FF -f asc -o window.asc; " +
            "canmesh export --socket /run/canmesh/capture.sock --from 1000 -f csv > frames.csv")
        {
            db, socket, from, to, iface, id, format, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? outputPath = parse.GetValue(output);
            var created = false;
            try
            {
                var selection = Selection(parse.GetValue(from), parse.GetValue(to), parse.GetValue(iface), parse.GetValue(id));
                var dbPath = parse.GetValue(db);
                var socketGiven = parse.GetResult(socket) is { Implicit: false };
                if (dbPath is not null && socketGiven) throw CliFailure.Usage("Give --db (read a file) or --socket (ask a running capture), not both.");
                var chosen = FrameLogFormats.Find(parse.GetValue(format)!)!;

                await using IExportSource source = dbPath is not null
                    ? DatabaseSource.Open(dbPath, selection)
                    : new SocketSource(parse.GetValue(socket)!, selection);
                Stream stream;
                if (outputPath is null)
                {
                    stream = Console.OpenStandardOutput();
                }
                else
                {
                    stream = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan);
                    created = true;
                }
                await using (stream)
                {
                    var watch = Stopwatch.StartNew();
                    var total = source.EstimatedFrames;
                    // The bar needs the terminal to itself: not while frames go to the same terminal.
                    var frames = ProgressDisplay.Wanted(total) && (outputPath is not null || Console.IsOutputRedirected)
                        ? await ProgressDisplay.RunAsync("export", total!.Value, progress => Exporter.RunAsync(source, chosen, stream, progress, cancellationToken))
                        : await Exporter.RunAsync(source, chosen, stream, null, cancellationToken);
                    if (outputPath is not null)
                    {
                        Console.Error.WriteLine($"exported {frames} frames to {outputPath} ({chosen.Name}) in {watch.Elapsed.TotalSeconds:0.00} s");
                    }
                }
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (created && outputPath is not null) TryDelete(outputPath); // no half-written file that looks complete
                return Report(e);
            }
        });
        return command;
    }

    /// <exception cref="CliFailure">A malformed bound or id list (exit code 2).</exception>
    internal static ExportSelection Selection(string? from, string? to, string[]? interfaces, string? ids)
    {
        RangeBound? fromBound = null, toBound = null;
        if (from is not null)
        {
            if (!RangeBound.TryParse("--from", from, out var bound, out var error)) throw CliFailure.Usage(error);
            fromBound = bound;
        }
        if (to is not null)
        {
            if (!RangeBound.TryParse("--to", to, out var bound, out var error)) throw CliFailure.Usage(error);
            toBound = bound;
        }
        IdFilter? idFilter = null;
        if (ids is not null)
        {
            if (!IdFilter.TryParse(ids, out var parsed, out var error)) throw CliFailure.Usage(error);
            idFilter = parsed;
        }
        var names = (interfaces ?? []).SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToArray();
        var selection = ExportSelection.Create(fromBound, toBound, names, idFilter);
        if (selection.Problem() is { } problem) throw CliFailure.Usage(problem);
        return selection;
    }

    /// <summary>One line on standard error and the exit code: a known failure as it is, anything else by its message.</summary>
    internal static int Report(Exception e)
    {
        var (message, code) = e switch
        {
            CliFailure failure => (failure.Message, failure.ExitCode),
            IOException or UnauthorizedAccessException => (e.Message, ExitCodes.Failed),
            _ => ($"{e.GetType().Name}: {e.Message}", ExitCodes.Failed),
        };
        Console.Error.WriteLine($"canmesh: {message.ReplaceLineEndings(" ")}");
        return code;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
