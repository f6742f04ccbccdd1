using System.CommandLine;
using System.Globalization;

namespace CanMesh.Bench.Stream;

/// <summary>The `stream` command's options (kept here so Program.cs only adds the command).</summary>
internal static class StreamCommand
{
    public static Command Create()
    {
        var frames = new Option<long>("--frames", "-n") { Description = "Frames in the database, streamed in every run.", DefaultValueFactory = _ => 3_000_000 };
        var runs = new Option<int>("--runs", "-r") { Description = "Measured rounds per batch size; best and median are reported.", DefaultValueFactory = _ => 3 };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured rounds first (JIT tiering in both processes).", DefaultValueFactory = _ => 1 };
        var batch = new Option<string>("--batch-frames")
        {
            Description = "SubscribeStart.max_batch_frames, or a comma-separated list to compare (1..16384).",
            DefaultValueFactory = _ => "4096",
            HelpName = "N[,N...]",
        };
        var fdShare = new Option<double>("--fd-share") { Description = "Share of CAN FD frames (12..64 bytes), 0..1.", DefaultValueFactory = _ => 0 };
        var extendedShare = new Option<double>("--extended-share") { Description = "Share of identifiers that are 29-bit, 0..1.", DefaultValueFactory = _ => 0.25 };
        var poolFrames = new Option<int>("--pool-frames") { Description = "Distinct pre-generated frames the database cycles through.", DefaultValueFactory = _ => 65_536 };
        var directory = new Option<string>("--dir")
        {
            Description = "Folder for the database, the server's configuration, socket and log.",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "canmesh-bench"),
            HelpName = "PATH",
        };
        var server = new Option<string?>("--server") { Description = "The canmesh-capture executable (default: the one built next to canmesh-bench).", HelpName = "PATH" };
        var fullOnly = new Option<bool>("--full-only") { Description = "Only the full path (c), not the variants a (server read+encode) and b (client decode)." };
        var window = new Option<int>("--client-window") { Description = "Client SocketsHttpHandler.InitialHttp2StreamWindowSize in bytes (0: default).", DefaultValueFactory = _ => 0 };
        var ackMs = new Option<int>("--ack-ms") { Description = "The subscriber acks every this many ms, as the forwarder does (0: never).", DefaultValueFactory = _ => 500 };
        var keep = new Option<bool>("--keep") { Description = "Keep the database." };

        var command = new Command("stream",
            "Stream throughput capture -> subscriber: prepare a database of N frames, start canmesh-capture on it (a child process, Unix socket), " +
            "subscribe from seq 0 with CanMesh.Client (Grpc.Net.Client, ReadDecodedAsync: the custom decoder) until all N frames arrived; verify count, dense seq and " +
            "checksum against the database; print frames/s, MB/s, time to first batch, client/server CPU. Also (a) server read+encode without a socket and " +
            "(b) client decode of the server's exact bytes without a socket.")
        {
            frames, runs, warmup, batch, fdShare, extendedShare, poolFrames, directory, server, fullOnly, window, ackMs, keep,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var batches = new List<int>();
            foreach (var part in parse.GetValue(batch)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > 16_384)
                {
                    Console.Error.WriteLine($"--batch-frames: '{part}' is not a number from 1 to 16384.");
                    return 2;
                }
                batches.Add(value);
            }
            var options = new StreamOptions
            {
                Frames = parse.GetValue(frames),
                Runs = parse.GetValue(runs),
                WarmupRuns = parse.GetValue(warmup),
                BatchFrames = batches,
                PoolFrames = parse.GetValue(poolFrames),
                ExtendedShare = parse.GetValue(extendedShare),
                FdShare = parse.GetValue(fdShare),
                Directory = Path.GetFullPath(parse.GetValue(directory)!),
                ServerExecutable = parse.GetValue(server),
                Variants = !parse.GetValue(fullOnly),
                ClientStreamWindow = parse.GetValue(window) is > 0 and var w ? w : null,
                AckInterval = TimeSpan.FromMilliseconds(Math.Max(0, parse.GetValue(ackMs))),
                Keep = parse.GetValue(keep),
            };
            if (options.Frames < 1 || options.Runs < 1 || batches.Count == 0)
            {
                Console.Error.WriteLine("--frames and --runs must be at least 1, and --batch-frames must name a size.");
                return 2;
            }
            return await new StreamSession(options, Console.Out).RunAsync().ConfigureAwait(false);
        });
        return command;
    }
}
