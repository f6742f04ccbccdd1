using System.Diagnostics;
using System.Text.RegularExpressions;
using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Core.Tests.Candump;

/// <summary>
/// can-utils' own parser is the referee: a log the writer produced must convert with <c>log2asc</c>, one ASC line per
/// frame. (<c>canplayer</c> cannot be used here: it opens a CAN socket before reading, and this kernel has no AF_CAN.)
/// </summary>
public sealed partial class CanUtilsInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canmesh-log2asc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^\s+\d+\.\d+ ")]
    private static partial Regex AscFrameLine();

    [Fact]
    public void Log2asc_converts_a_log_holding_every_variant()
    {
        string log2asc = FindTool("log2asc");
        var frames = CandumpLogWriterTests.CanonicalLines
            .Select(l => ParseHelper.ParseOk(l, out var iface) with { InterfaceId = iface == "can0" ? (ushort)0 : (ushort)1 })
            .ToArray();
        Assert.Contains(frames, f => f.IsRemote);
        Assert.Contains(frames, f => f.IsError);
        Assert.Contains(frames, f => f.IsFd && (f.Flags & CanFrameFlags.ErrorStateIndicator) != 0);
        Assert.Contains(frames, f => f.Len8Dlc != 0);

        string logPath = Path.Combine(_dir, "variants.log");
        using (var writer = CandumpLogWriter.CreateFile(logPath, id => id == 0 ? "can0" : "can1")) writer.Write(frames);

        string ascPath = Path.Combine(_dir, "variants.asc");
        var (exitCode, stdout, stderr) = Run(log2asc, "-I", logPath, "-O", ascPath, "can0", "can1");
        Assert.True(exitCode == 0, $"log2asc exited with {exitCode}: {stderr}{stdout}");

        var asc = File.ReadAllLines(ascPath);
        var frameLines = asc.Where(l => AscFrameLine().IsMatch(l)).ToArray();
        Assert.Equal(frames.Length, frameLines.Length);
        Assert.Equal(frames.Count(f => f.IsError), frameLines.Count(l => l.Contains("ErrorFrame")));
        Assert.Equal(frames.Count(f => f.IsFd), frameLines.Count(l => l.Contains("CANFD")));
        Assert.Equal(frames.Count(f => f.IsRemote), frameLines.Count(l => Regex.IsMatch(l, @" Rx\s+r ")));
        // ids and channels as log2asc understood them: 1 = can0, 2 = can1, 'x' marks extended ids
        Assert.Contains(frameLines, l => Regex.IsMatch(l, @"^\s+0\.000000 1\s+123\s+Rx\s+d 4 DE AD BE EF$"));
        Assert.Contains(frameLines, l => Regex.IsMatch(l, @"^\s+\S+ 2\s+285x\s+Rx\s+d 2 AA BB$"));
        // CAN FD columns: BRS ESI DLC length data
        Assert.Contains(frameLines, l => Regex.IsMatch(l, @"CANFD\s+1 Rx\s+123\s+1 0 3\s+3 11 22 33 "));  // BRS
        Assert.Contains(frameLines, l => Regex.IsMatch(l, @"CANFD\s+1 Rx\s+123\s+0 1 1\s+1 AA "));        // ESI
        Assert.Contains(frameLines, l => Regex.IsMatch(l, @"CANFD\s+1 Rx\s+123\s+1 1 2\s+2 AA BB "));     // BRS and ESI
        Assert.Contains(frameLines, l => Regex.IsMatch(l, @"CANFD\s+2 Rx\s+1FFFFFFFx\s+0 0 f 64 00 11 "));  // 64 bytes
    }

    [Fact]
    public void Log2asc_reads_the_frames_the_writer_writes_with_each_flags_digit()
    {
        string log2asc = FindTool("log2asc");
        var frames = Enumerable.Range(0, 16)
            .Select(d => ParseHelper.ParseOk($"(1.{d:D6}) can0 {0x100 + d:X3}##{d:X}{d:X2}", out _))
            .ToArray();
        string logPath = Path.Combine(_dir, "digits.log");
        using (var writer = CandumpLogWriter.CreateFile(logPath, _ => "can0")) writer.Write(frames);
        Assert.Equal(Enumerable.Range(0, 16).Select(d => $"(1.{d:D6}) can0 {0x100 + d:X3}##{d:X}{d:X2}"), File.ReadAllLines(logPath));

        string ascPath = Path.Combine(_dir, "digits.asc");
        var (exitCode, stdout, stderr) = Run(log2asc, "-I", logPath, "-O", ascPath, "can0");
        Assert.True(exitCode == 0, $"log2asc exited with {exitCode}: {stderr}{stdout}");

        var frameLines = File.ReadAllLines(ascPath).Where(l => AscFrameLine().IsMatch(l)).ToArray();
        Assert.Equal(16, frameLines.Length);
        for (int d = 0; d < 16; d++)
        {
            // CANFD channel Rx id BRS ESI DLC length data: every digit is an FD frame; BRS and ESI are bits 0 and 1.
            string pattern = $@"CANFD\s+1 Rx\s+{0x100 + d:X}\s+{d & 1} {(d >> 1) & 1} 1\s+1 {d:X2} ";
            Assert.True(frameLines.Count(l => Regex.IsMatch(l, pattern)) == 1, $"no line matching {pattern} in:\n{string.Join('\n', frameLines)}");
        }
    }

    [Fact]
    public void Log2asc_converts_the_real_log_after_a_round_trip()
    {
        string log2asc = FindTool("log2asc");
        string source = Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");
        string logPath = Path.Combine(_dir, "savvycan.log");
        var batch = new FrameBatch(20_000);
        using (var reader = CandumpLogReader.OpenFile(source, _ => 0)) reader.ReadBatch(batch);
        using (var writer = CandumpLogWriter.CreateFile(logPath, _ => "vcan0")) writer.Write(batch.Frames);

        string ascPath = Path.Combine(_dir, "savvycan.asc");
        var (exitCode, stdout, stderr) = Run(log2asc, "-I", logPath, "-O", ascPath, "vcan0");
        Assert.True(exitCode == 0, $"log2asc exited with {exitCode}: {stderr}{stdout}");
        Assert.Equal(12974, File.ReadLines(ascPath).Count(l => AscFrameLine().IsMatch(l)));
    }

    /// <summary>Fails, never skips: a missing tool must not pass as a green run.</summary>
    private static string FindTool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail($"{name} not found on PATH: install can-utils (apt-get install can-utils)");
        return "";
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            Assert.Fail($"{file} did not finish in 30 s");
        }
        return (process.ExitCode, stdout.Result, stderr);
    }
}
