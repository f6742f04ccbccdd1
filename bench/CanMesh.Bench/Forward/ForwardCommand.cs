using System.CommandLine;

namespace CanMesh.Bench.Forward;

/// <summary>The `forward` command's options (kept here so Program.cs only adds the command).</summary>
internal static class ForwardCommand
{
    public static Command Create()
    {
        var defaults = new ForwardOptions { Directory = "" };
        var frames = new Option<long>("--frames", "-n") { Description = "Frames in the capture database: the backlog each run drains.", DefaultValueFactory = _ => defaults.Frames };
        var runs = new Option<int>("--runs", "-r") { Description = "Measured runs, each into a new empty database followed by its anchor; best and median are reported.", DefaultValueFactory = _ => defaults.Runs };
        var commitFrames = new Option<int>("--commit-frames") { Description = "Frames per PostgreSQL transaction (Forwarder:Commit:MaxFrames, 1..4000000).", DefaultValueFactory = _ => defaults.CommitFrames };
        var batchFrames = new Option<int>("--batch-frames") { Description = "Frames per subscription batch (Forwarder:BatchFrames, 16..16384).", DefaultValueFactory = _ => defaults.BatchFrames };
        var fdShare = new Option<double>("--fd-share") { Description = "Share of CAN FD frames (12..64 bytes), 0..1.", DefaultValueFactory = _ => defaults.FdShare };
        var extendedShare = new Option<double>("--extended-share") { Description = "Share of identifiers that are 29-bit, 0..1.", DefaultValueFactory = _ => defaults.ExtendedShare };
        var poolFrames = new Option<int>("--pool-frames") { Description = "Distinct pre-generated frames the database cycles through.", DefaultValueFactory = _ => defaults.PoolFrames };
        var pollMs = new Option<int>("--poll-ms") { Description = "How often synced_seq is sampled, in ms (the resolution of the timings).", DefaultValueFactory = _ => (int)defaults.PollInterval.TotalMilliseconds };
        var image = new Option<string>("--image") { Description = "PostgreSQL image (scripts/images.sh builds local/postgres:15).", DefaultValueFactory = _ => defaults.Image };
        var setting = new Option<string[]>("--pg-setting")
        {
            Description = "A server setting, passed as postgres -c NAME=VALUE (repeatable), e.g. --pg-setting synchronous_commit=off. Default: the image's defaults (fsync on).",
            HelpName = "NAME=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        var directory = new Option<string>("--dir")
        {
            Description = "Folder for the capture database, its configuration, socket and log, and the forwarder's logs.",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "canmesh-bench"),
            HelpName = "PATH",
        };
        var capture = new Option<string?>("--capture") { Description = "The canmesh-capture executable (default: the one built next to canmesh-bench).", HelpName = "PATH" };
        var forwarder = new Option<string[]>("--forwarder")
        {
            Description = "The canmesh-forwarder.dll to run with dotnet (default: the one built next to canmesh-bench). Give it twice or more to compare builds: " +
                "each run drains with every one in turn (A, B, ...), so a busy machine's load falls on all of them.",
            HelpName = "PATH",
            AllowMultipleArgumentsPerToken = false,
        };
        var keep = new Option<bool>("--keep") { Description = "Keep the capture database, the logs, the PostgreSQL container and its databases (forward_1, ...) for inspection." };

        var command = new Command("forward",
            "Backlog drain into PostgreSQL: prepare a capture database of N frames, serve it with canmesh-capture (child process, Unix socket), start a fresh " +
            "PostgreSQL container, and per run let the real canmesh-forwarder (child process, CANMESH_* environment) drain it into a new empty database; timed " +
            "from the forwarder's start until canmesh.captures.synced_seq = N (sampled), then canmesh.frames is checked (N rows, seq 1..N, payload bytes). " +
            "Anchor in the same run: the same rows exported to a file inside the container and loaded by the server itself with COPY FROM (FORMAT binary) " +
            "into an identical empty table. Prints frames/s, the anchor's rows/s, their ratio and the 300,000 frames/s target. Needs docker and the image.")
        {
            frames, runs, commitFrames, batchFrames, fdShare, extendedShare, poolFrames, pollMs, image, setting, directory, capture, forwarder, keep,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ForwardOptions
            {
                Frames = parse.GetValue(frames),
                Runs = parse.GetValue(runs),
                CommitFrames = parse.GetValue(commitFrames),
                BatchFrames = parse.GetValue(batchFrames),
                PoolFrames = parse.GetValue(poolFrames),
                ExtendedShare = parse.GetValue(extendedShare),
                FdShare = parse.GetValue(fdShare),
                PollInterval = TimeSpan.FromMilliseconds(parse.GetValue(pollMs)),
                Image = parse.GetValue(image)!,
                PostgresSettings = parse.GetValue(setting) ?? [],
                Directory = Path.GetFullPath(parse.GetValue(directory)!),
                CaptureExecutable = parse.GetValue(capture),
                ForwarderAssemblies = [.. (parse.GetValue(forwarder) ?? []).Select(Path.GetFullPath)],
                Keep = parse.GetValue(keep),
            };
            if (options.Frames < 1 || options.Runs < 1 || options.CommitFrames is < 1 or > 4_000_000 || options.BatchFrames is < 16 or > 16_384
                || options.PollInterval < TimeSpan.FromMilliseconds(10))
            {
                Console.Error.WriteLine("--frames and --runs must be at least 1, --commit-frames 1..4000000, --batch-frames 16..16384, --poll-ms at least 10.");
                return 2;
            }
            if (StoppableRun.FirstMalformedSetting(options.PostgresSettings) is { } bad)
            {
                Console.Error.WriteLine($"--pg-setting '{bad}': expected NAME=VALUE.");
                return 2;
            }
            // Ctrl+C or SIGTERM stops the run and cleans up (processes, container) before exiting.
            return await StoppableRun.RunAsync(token => new ForwardSession(options, Console.Out).RunAsync(token), "stopped before the end; nothing is left running", cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
