namespace CanMesh.Bench.Stream;

/// <summary>What the stream benchmark prints: plain text to paste into bench/README.md.</summary>
internal static class StreamReport
{
    public const double Target = 3_000_000;

    private static readonly Dictionary<string, string> Names = new()
    {
        ["a"] = "a server read+encode",
        ["b"] = "b client decode",
        ["c"] = "c full path",
    };

    public static void Header(TextWriter o, StreamOptions options)
    {
        o.WriteLine($"canmesh-bench stream  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        o.WriteLine($"machine: {Environment.ProcessorCount} cores, {CpuModel()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {LoadAverage()}");
        o.WriteLine($"settings: {options.Describe()}");
    }

    public static void RunHeader(TextWriter o) =>
        o.WriteLine("run  variant                  frames/s  proto MB/s  payload MB/s  wire MB/s  seconds  1st batch ms  CPU s client+server  frames/CPU-s  " +
                    "parts s (a: read/encode, b: parse/check)  alloc B/frame  GCs 0/1/2  load");

    public static void RunLine(TextWriter o, int round, StreamRun r) =>
        o.WriteLine($"{round,3}  {Names[r.Variant],-21}  {r.FramesPerSecond,11:N0}  {r.ProtobufMegabytesPerSecond,10:F1}  {r.PayloadMegabytesPerSecond,12:F1}  " +
                    $"{(r.WireBytes > 0 ? r.WireMegabytesPerSecond.ToString("F1") : "-"),9}  {r.Seconds,7:F3}  {(double.IsNaN(r.FirstBatchSeconds) ? "-" : (r.FirstBatchSeconds * 1000).ToString("F1")),12}  " +
                    $"{r.ClientCpuSeconds,8:F2}{(double.IsNaN(r.ServerCpuSeconds) ? "" : $" + {r.ServerCpuSeconds:F2}"),-7}  " +
                    $"{r.FramesPerCpuSecond,16:N0}  {(double.IsNaN(r.Part1Seconds) ? "-" : $"{r.Part1Seconds:F3} / {r.Part2Seconds:F3}"),40}  " +
                    $"{r.AllocatedPerFrame,13:F1}  {$"{r.Gen0}/{r.Gen1}/{r.Gen2}",9}  {r.LoadAverage}");

    public static void Summary(TextWriter o, List<StreamRun> runs, StreamOptions options)
    {
        o.WriteLine();
        foreach (var group in runs.GroupBy(r => r.Variant).OrderBy(g => g.Key))
        {
            var list = group.ToList();
            var rates = list.Select(r => r.FramesPerSecond).ToList();
            var best = rates.Max();
            var median = Median(rates);
            var bestRun = list.MaxBy(r => r.FramesPerSecond)!;
            o.WriteLine($"  {Names[group.Key]}: best {best:N0} frames/s, median {median:N0} frames/s over {list.Count} runs of {list[0].Frames:N0} frames " +
                        $"(target {Target:N0}: best is {best / Target:P0} of it); best run {bestRun.ProtobufMegabytesPerSecond:F1} MB/s protobuf, " +
                        $"{bestRun.PayloadMegabytesPerSecond:F1} MB/s payload{(bestRun.WireBytes > 0 ? $", {bestRun.WireMegabytesPerSecond:F1} MB/s on the socket" : "")}; " +
                        $"best {list.Max(r => r.FramesPerCpuSecond):N0} frames per CPU-second");
            if (group.Key == "c")
            {
                o.WriteLine($"    time to first batch median {Median(list.Select(r => r.FirstBatchSeconds * 1000).ToList()):F1} ms; CPU split median client {Median(list.Select(r => r.ClientCpuSeconds / r.CpuSeconds).ToList()):P0}, " +
                            $"server {Median(list.Select(r => r.ServerCpuSeconds / r.CpuSeconds).ToList()):P0}; CPU use median {Median(list.Select(r => r.CpuSeconds / r.Seconds).ToList()):F2} cores of {Environment.ProcessorCount}; " +
                            $"client allocated {Median(list.Select(r => r.AllocatedPerFrame).ToList()):F0} B/frame");
                o.WriteLine("    verified: every run received exactly the database's frames, seq 1..N dense, checksum of timestamp, can_id and payload equal to the database's");
            }
            else if (group.Key == "a")
            {
                o.WriteLine($"    median split: FrameReader.Read {Median(list.Select(r => r.Part1Seconds / r.Seconds).ToList()):P0}, copy + encode {Median(list.Select(r => r.Part2Seconds / r.Seconds).ToList()):P0}; " +
                            $"read alone {Median(list.Select(r => r.Frames / r.Part1Seconds).ToList()):N0} frames/s, encode alone {Median(list.Select(r => r.Frames / r.Part2Seconds).ToList()):N0} frames/s");
            }
            else
            {
                o.WriteLine($"    median split: parse {Median(list.Select(r => r.Part1Seconds / r.Seconds).ToList()):P0}, check {Median(list.Select(r => r.Part2Seconds / r.Seconds).ToList()):P0}; " +
                            $"parse alone {Median(list.Select(r => r.Frames / r.Part1Seconds).ToList()):N0} frames/s; allocated {Median(list.Select(r => r.AllocatedPerFrame).ToList()):F0} B/frame");
            }
        }
    }

    public static void Table(TextWriter o, List<StreamRun> all)
    {
        o.WriteLine();
        o.WriteLine("| max_batch_frames | variant | frames/s best | frames/s median | protobuf MB/s (best) | payload MB/s (best) | frames/CPU-s best |");
        o.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var group in all.GroupBy(r => (r.BatchFrames, r.Variant)).OrderBy(g => g.Key.Variant).ThenBy(g => g.Key.BatchFrames))
        {
            var list = group.ToList();
            var best = list.MaxBy(r => r.FramesPerSecond)!;
            o.WriteLine($"| {group.Key.BatchFrames} | {Names[group.Key.Variant]} | {best.FramesPerSecond:N0} | {Median(list.Select(r => r.FramesPerSecond).ToList()):N0} | " +
                        $"{best.ProtobufMegabytesPerSecond:F1} | {best.PayloadMegabytesPerSecond:F1} | {list.Max(r => r.FramesPerCpuSecond):N0} |");
        }
    }

    public static double Median(List<double> values) => Report.Median(values);

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "?" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
