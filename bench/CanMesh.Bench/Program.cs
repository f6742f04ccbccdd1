using System.CommandLine;
using CanMesh.Bench;
using CanMesh.Bench.Capture;
using CanMesh.Bench.Export;
using CanMesh.Bench.Forward;
using CanMesh.Bench.Soak;
using CanMesh.Bench.Stream;
using CanMesh.Capture.Pipeline;
using CanMesh.Store;

// canmesh-bench: how fast the capture pipeline stores frames durably, next to the anchors it is judged by.
var defaults = new PipelineSettings();
var frames = new Option<long>("--frames", "-n") { Description = "Frames per measured run.", DefaultValueFactory = _ => 2_000_000 };
var runs = new Option<int>("--runs", "-r") { Description = "Measured runs; best and median are reported.", DefaultValueFactory = _ => 3 };
var warmup = new Option<long>("--warmup") { Description = "Frames of an unmeasured first run that lets the JIT tier up (0: none).", DefaultValueFactory = _ => 500_000 };
var synchronous = new Option<string>("--synchronous")
{
    Description = "SQLite synchronous mode: full (durable commits, survives power loss) or normal.",
    DefaultValueFactory = _ => "full",
};
synchronous.AcceptOnlyFromAmong("full", "normal");
var commitFrames = new Option<int>("--commit-frames") { Description = "Frames per transaction (Capture:Commit:MaxFrames).", DefaultValueFactory = _ => defaults.CommitMaxFrames };
var batchFrames = new Option<int>("--batch-frames") { Description = "Frames per batch a source hands over.", DefaultValueFactory = _ => defaults.BatchFrames };
var queueFrames = new Option<int>("--queue-frames") { Description = "Queue capacity in frames (Capture:Queue:CapacityFrames).", DefaultValueFactory = _ => defaults.QueueCapacityFrames };
var fdShare = new Option<double>("--fd-share") { Description = "Share of CAN FD frames (12..64 bytes), 0..1.", DefaultValueFactory = _ => 0 };
var extendedShare = new Option<double>("--extended-share") { Description = "Share of identifiers that are 29-bit, 0..1.", DefaultValueFactory = _ => 0.25 };
var poolFrames = new Option<int>("--pool-frames") { Description = "Distinct pre-generated frames the source cycles through.", DefaultValueFactory = _ => 65_536 };
var directory = new Option<string>("--dir")
{
    Description = "Folder for the benchmark databases (fresh file per run, deleted afterwards). Put it on the disk you want measured.",
    DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "canmesh-bench"),
    HelpName = "PATH",
};
var writerOnly = new Option<bool>("--writer-only") { Description = "Time JournalWriter.Append and Commit alone on one thread (no source, queue or writer loop): where the time goes." };
var keep = new Option<bool>("--keep") { Description = "Keep the databases for inspection." };
var anchors = new Option<bool>("--anchors") { Description = "Also run the anchors (C SQLite loop, seed Python path) in the same session and print ratios." };
var pythonFrames = new Option<long>("--python-frames") { Description = "Frames for the seed Python anchor (slow: ~1/15 of CanMesh; 0 skips it).", DefaultValueFactory = _ => 300_000 };
var pythonBatch = new Option<int>("--python-batch") { Description = "Rows per executemany + commit in the seed Python anchor (0: --commit-frames).", DefaultValueFactory = _ => 0 };

Option[] common = [frames, runs, warmup, synchronous, commitFrames, batchFrames, queueFrames, fdShare, extendedShare, poolFrames, directory, writerOnly, keep, pythonFrames, pythonBatch];

var capture = new Command("capture",
    "Run the capture pipeline from an in-memory source into a fresh SQLite file per run, from start until the last frame is committed; " +
    "verify the database holds exactly the frames sent, seq 1..N; print frames/s, payload MB/s, commits, database size, peak memory and bytes allocated per frame.");
foreach (var option in common) capture.Options.Add(option);
capture.Options.Add(anchors);
capture.SetAction(parse => Run(parse, parse.GetValue(anchors)));

var anchorsCommand = new Command("anchors",
    "The capture benchmark together with its anchors, interleaved run by run: the plain C SQLite insert loop for the same rows " +
    "(compiled here with gcc against libsqlite3 and against CanMesh's e_sqlite3) and the seed's Python path; prints a table with ratios.");
foreach (var option in common) anchorsCommand.Options.Add(option);
anchorsCommand.SetAction(parse => Run(parse, anchors: true));

var rowsOutput = new Argument<string>("file") { Description = "Where to write the rows file." };
var rows = new Command("rows", "Write the benchmark's frame pool as the anchors' rows file, to run bench/anchors/* by hand.") { rowsOutput, poolFrames, extendedShare, fdShare };
rows.SetAction(parse =>
{
    FramePool.Generate(parse.GetValue(poolFrames), parse.GetValue(extendedShare), parse.GetValue(fdShare)).WriteRowsFile(parse.GetValue(rowsOutput)!);
    return 0;
});

var root = new RootCommand("CanMesh benchmarks. Numbers from a shared or busy machine are noisy: compare ratios from the same session.")
{
    capture,
    anchorsCommand,
    rows,
    StreamCommand.Create(),
    ForwardCommand.Create(),
    ExportBenchmark.Create(),
    SoakCommand.Create(),
};
// No signal handling by System.CommandLine: its forced exit after a grace period would leave the forward benchmark's
// PostgreSQL container and child processes running. `forward` and `soak` handle SIGINT/SIGTERM themselves; the other commands
// end at once on a signal, as they did after the grace period.
return root.Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });

int Run(ParseResult parse, bool anchors)
{
    var options = new CaptureOptions
    {
        Frames = parse.GetValue(frames),
        Runs = parse.GetValue(runs),
        WarmupFrames = parse.GetValue(warmup),
        Synchronous = parse.GetValue(synchronous) == "normal" ? SynchronousMode.Normal : SynchronousMode.Full,
        Pipeline = new PipelineSettings
        {
            CommitMaxFrames = parse.GetValue(commitFrames),
            BatchFrames = parse.GetValue(batchFrames),
            QueueCapacityFrames = parse.GetValue(queueFrames),
        },
        PoolFrames = parse.GetValue(poolFrames),
        ExtendedShare = parse.GetValue(extendedShare),
        FdShare = parse.GetValue(fdShare),
        Directory = parse.GetValue(directory)!,
        WriterOnly = parse.GetValue(writerOnly),
        KeepDatabases = parse.GetValue(keep),
    };
    if (options.Frames < 1 || options.Runs < 1 || options.Pipeline.BatchFrames < 1 || options.Pipeline.QueueCapacityFrames < options.Pipeline.BatchFrames * 2)
    {
        Console.Error.WriteLine("--frames and --runs must be at least 1, and --queue-frames at least twice --batch-frames.");
        return 2;
    }
    var batch = parse.GetValue(pythonBatch);
    return new Session(options, Console.Out).Run(anchors, parse.GetValue(pythonFrames), batch > 0 ? batch : options.Pipeline.CommitMaxFrames);
}
