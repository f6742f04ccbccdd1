using System.CommandLine;
using CanMesh.Configuration;

namespace CanMesh.Bench.Soak;

/// <summary>The `soak` command's options (kept here so Program.cs only adds the command).</summary>
internal static class SoakCommand
{
    public static Command Create()
    {
        var defaults = new SoakOptions { Directory = "", CsvPath = "" };
        var duration = new Option<string>("--duration") { Description = "How long to run (30s, 3m, 1h).", DefaultValueFactory = _ => "30m" };
        var rate = new Option<double>("--rate") { Description = "Frames per second over all interfaces together.", DefaultValueFactory = _ => defaults.Rate };
        var interfaces = new Option<int>("--interfaces") { Description = "Sim interfaces, each at rate / interfaces.", DefaultValueFactory = _ => defaults.Interfaces };
        var outage = new Option<bool>("--outage-third") { Description = "Stop PostgreSQL for the middle third of the run (the default)." };
        var noOutage = new Option<bool>("--no-outage") { Description = "Keep PostgreSQL up the whole run." };
        var sample = new Option<string>("--sample") { Description = "Sample interval for CPU, RSS and seqs: one CSV row each.", DefaultValueFactory = _ => "5s" };
        var probe = new Option<int>("--probe-ms") { Description = "How often PostgreSQL's newest frame is probed for the latency, in ms.", DefaultValueFactory = _ => (int)defaults.ProbeInterval.TotalMilliseconds };
        var warmup = new Option<string>("--warmup") { Description = "Start-up time sampled but left out of the phase figures.", DefaultValueFactory = _ => "30s" };
        var output = new Option<string?>("--output") { Description = "CSV of the samples (default: bench/results/soak-<UTC time>.csv).", HelpName = "PATH" };
        var image = new Option<string>("--image") { Description = "PostgreSQL image (scripts/images.sh builds local/postgres:15).", DefaultValueFactory = _ => defaults.Image };
        var forwarderSetting = new Option<string[]>("--forwarder-setting")
        {
            Description = "A forwarder setting on top of the benchmark's (repeatable), e.g. --forwarder-setting Forwarder:Commit:MaxDelay=200ms.",
            HelpName = "KEY=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        var directory = new Option<string>("--dir")
        {
            Description = "Folder for the capture database (about 30 bytes per frame: 2.2 GB for 30 min at 40,000 frames/s), its socket and the logs.",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "canmesh-bench"),
            HelpName = "PATH",
        };
        var capture = new Option<string?>("--capture") { Description = "The canmesh-capture executable (default: the one built next to canmesh-bench).", HelpName = "PATH" };
        var forwarder = new Option<string?>("--forwarder") { Description = "The canmesh-forwarder.dll to run with dotnet (default: the one built next to canmesh-bench).", HelpName = "PATH" };
        var keep = new Option<bool>("--keep") { Description = "Keep the capture database, the logs and the PostgreSQL container." };

        var command = new Command("soak",
            "Long run at a live rate: the real canmesh-capture with paced sim interfaces (durable SQLite commits) and the real canmesh-forwarder into a fresh " +
            "PostgreSQL container. Samples CPU and RSS per service, the capture's committed seq and PostgreSQL's synced_seq, and the latency from a frame's " +
            "bus timestamp to its PostgreSQL commit (freshness of the newest frame PostgreSQL holds, probed every 100 ms); by default PostgreSQL is stopped " +
            "for the middle third, then the drain rate is measured. Prints a line a minute and a summary per phase; writes a CSV. Needs docker and the image.")
        {
            duration, rate, interfaces, outage, noOutage, sample, probe, warmup, output, image, forwarderSetting, directory, capture, forwarder, keep,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(outage) && parse.GetValue(noOutage))
            {
                Console.Error.WriteLine("--outage-third and --no-outage exclude each other.");
                return 2;
            }
            if (!TryDuration(parse.GetValue(duration)!, "--duration", out var length) || !TryDuration(parse.GetValue(sample)!, "--sample", out var every)
                || !TryDuration(parse.GetValue(warmup)!, "--warmup", out var start))
            {
                return 2;
            }
            var options = new SoakOptions
            {
                Duration = length,
                Rate = parse.GetValue(rate),
                Interfaces = parse.GetValue(interfaces),
                Outage = !parse.GetValue(noOutage),
                SampleInterval = every,
                ProbeInterval = TimeSpan.FromMilliseconds(parse.GetValue(probe)),
                Warmup = start,
                CsvPath = Path.GetFullPath(parse.GetValue(output) ?? DefaultCsvPath()),
                Image = parse.GetValue(image)!,
                ForwarderSettings = parse.GetValue(forwarderSetting) ?? [],
                Directory = Path.GetFullPath(parse.GetValue(directory)!),
                CaptureExecutable = parse.GetValue(capture),
                ForwarderAssembly = parse.GetValue(forwarder) is { } f ? Path.GetFullPath(f) : null,
                Keep = parse.GetValue(keep),
            };
            if (options.Rate <= 0 || options.Interfaces < 1 || options.SampleInterval < TimeSpan.FromSeconds(1) || options.ProbeInterval < TimeSpan.FromMilliseconds(10)
                || options.Duration < options.SampleInterval * 3 || options.Warmup >= options.OutageStart)
            {
                Console.Error.WriteLine("--rate must be positive, --interfaces at least 1, --sample at least 1s, --probe-ms at least 10, " +
                                        "--duration at least three samples, --warmup shorter than a third of --duration.");
                return 2;
            }
            if (StoppableRun.FirstMalformedSetting(options.ForwarderSettings) is { } bad)
            {
                Console.Error.WriteLine($"--forwarder-setting '{bad}': expected KEY=VALUE.");
                return 2;
            }
            // Ctrl+C or SIGTERM stops the run and cleans up (processes, container) before exiting.
            return await StoppableRun.RunAsync(token => new SoakSession(options, Console.Out).RunAsync(token), "stopped before the end; nothing is left running (the CSV holds the samples so far)", cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>bench/results next to the source tree when run from the build output, as run.sh's other results.</summary>
    private static string DefaultCsvPath() =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "results", $"soak-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv");

    private static bool TryDuration(string text, string option, out TimeSpan value)
    {
        if (DurationText.TryParse(text, out value, out var problem) && value > TimeSpan.Zero) return true;
        Console.Error.WriteLine($"{option} '{text}': {problem ?? "must be more than 0"}");
        return false;
    }
}
