using System.Text;
using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Core.Tests.Candump;

public sealed class CandumpLogReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canmesh-candump-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string MixedLog =
        "(100.000001) can0 123#11\n" +            // 1 good
        "garbage\n" +                              // 2 bad
        "(100.000002) can1 12345678#R\n" +        // 3 good
        "\n" +                                     // 4 bad: empty
        "(100.000003) can0 800#11\r\n" +          // 5 bad: id > 7FF (CRLF)
        "(100.000004) can0 1A0##5AABB\r\n" +       // 6 good (CRLF)
        "DROPCOUNT: dropped 2 CAN frames on 'can0' socket (total drops 2)\n" + // 7 drop note
        "(100.000005) can1 20000004#0004000000000000\n" + // 8 good
        "(100.000006) can0 123#112233445566778899\n" +    // 9 bad: 9 bytes
        "(100.000007) can0 321#AA";                // 10 good, no final newline

    [Fact]
    public async Task Delivers_good_frames_in_order_and_reports_bad_lines_with_file_and_line()
    {
        string path = Path.Combine(_dir, "mixed.log");
        File.WriteAllText(path, MixedLog);
        var resolved = new List<string>();
        var skipped = new List<CandumpSkippedLine>();
        ushort Resolve(string name) { resolved.Add(name); return (ushort)(name == "can0" ? 7 : 9); }

        await using var reader = CandumpLogReader.OpenFile(path, Resolve, skipped.Add);
        var frames = new List<CanFrame>();
        var batch = new FrameBatch(2); // small, so batches end mid-file
        while (true)
        {
            batch.Clear();
            int n = await reader.ReadBatchAsync(batch);
            Assert.Equal(n, batch.Count);
            if (n == 0) break;
            foreach (var f in batch.Frames) frames.Add(f);
        }

        Assert.True(reader.EndOfLog);
        Assert.Equal([0x123u, 0x12345678u, 0x1A0u, 0x4u, 0x321u], frames.Select(f => f.Id));
        Assert.Equal([7, 9, 7, 9, 7], frames.Select(f => (int)f.InterfaceId));
        Assert.Equal([100_000_001_000L, 100_000_002_000, 100_000_004_000, 100_000_005_000, 100_000_007_000], frames.Select(f => f.TimestampNs));
        Assert.Equal(CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, frames[2].Flags);
        Assert.Equal(["can0", "can1"], resolved); // once per distinct name

        Assert.Equal(5, reader.FramesRead);
        Assert.Equal(4, reader.MalformedLines);
        Assert.Equal(1, reader.DropCountNotices);
        Assert.Equal(10, reader.LineNumber);

        var malformed = skipped.Where(s => s.Kind == CandumpSkipKind.Malformed).ToList();
        Assert.Equal([2L, 4, 5, 9], malformed.Select(s => s.LineNumber));
        Assert.All(skipped, s => Assert.Equal(path, s.Source));
        Assert.Contains("does not start with '('", malformed[0].Reason);
        Assert.Equal("garbage", malformed[0].Text);
        Assert.Contains("empty line", malformed[1].Reason);
        Assert.Contains("above 7FF", malformed[2].Reason);
        Assert.Contains("at most 8", malformed[3].Reason);
        Assert.StartsWith($"{path}:5: ", malformed[2].ToString());

        var drop = Assert.Single(skipped, s => s.Kind == CandumpSkipKind.DropCountNotice);
        Assert.Equal(7, drop.LineNumber);
    }

    [Fact]
    public void A_16_byte_interface_name_is_reported_with_its_reason_and_the_rest_is_read()
    {
        var skipped = new List<CandumpSkippedLine>();
        var log = "(1.000000) can0 123#11\n(1.000001) abcdefghijklmnop 123#22\n(1.000002) abcdefghijklmno 123#33\n"u8.ToArray();
        using var reader = new CandumpLogReader(new MemoryStream(log), "names.log", name => (ushort)name.Length, skipped.Add);
        var batch = new FrameBatch(10);
        reader.ReadBatch(batch);
        Assert.Equal([4, 15], batch.Frames.ToArray().Select(f => (int)f.InterfaceId));
        var bad = Assert.Single(skipped);
        Assert.Equal(2, bad.LineNumber);
        Assert.Equal(CandumpSkipKind.Malformed, bad.Kind);
        Assert.Equal("interface name longer than 15 bytes (Linux IFNAMSIZ is 16 with the terminating NUL)", bad.Reason);
        Assert.Equal("names.log:2: interface name longer than 15 bytes (Linux IFNAMSIZ is 16 with the terminating NUL): (1.000001) abcdefghijklmnop 123#22", bad.ToString());
    }

    [Fact]
    public void Control_characters_and_invalid_utf8_in_a_skipped_line_are_reported_escaped()
    {
        byte[] log = [.. "(1.000000) can0 123#11\n"u8, .. "\u001b]0;pwned\u0007\u0000\u001b[2J"u8, 0xFF, .. "\n(1.000001) \u001b[31m 123#22\n"u8];
        var skipped = new List<CandumpSkippedLine>();
        using var reader = new CandumpLogReader(new MemoryStream(log), "bad\u001b.log", _ => 0, skipped.Add);
        var batch = new FrameBatch(10);
        reader.ReadBatch(batch);
        Assert.Equal(1, batch.Count);

        Assert.Equal(2, skipped.Count);
        Assert.Equal(@"\e]0;pwned\a\0\e[2J\xFF", skipped[0].Text);
        Assert.Equal(@"(1.000001) \e[31m 123#22", skipped[1].Text);
        Assert.Equal("interface name contains a control character", skipped[1].Reason);
        Assert.Equal(@"bad\e.log:3: interface name contains a control character: (1.000001) \e[31m 123#22", skipped[1].ToString());
        Assert.All(skipped, s => Assert.DoesNotContain(s.ToString(), c => char.IsControl(c)));
    }

    [Fact]
    public void A_long_skipped_line_is_cut_in_its_report()
    {
        var skipped = new List<CandumpSkippedLine>();
        var line = "(1.000000) can0 123#" + new string('Z', 1000) + "\n";
        using var reader = new CandumpLogReader(new MemoryStream(Encoding.ASCII.GetBytes(line)), "m", _ => 0, skipped.Add);
        reader.ReadBatch(new FrameBatch(1));
        var report = Assert.Single(skipped);
        Assert.Equal(line[..CandumpSkippedLine.MaxTextLength] + "... (820 more bytes)", report.Text);
    }

    [Fact]
    public void Sync_read_matches_and_handles_a_bom_and_no_final_newline()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(MixedLog)).ToArray();
        using var reader = new CandumpLogReader(new MemoryStream(bytes), "memory", _ => 1);
        var batch = new FrameBatch(100);
        Assert.Equal(5, reader.ReadBatch(batch));
        Assert.Equal(0x123u, batch.Frames[0].Id);
        batch.Clear();
        Assert.Equal(0, reader.ReadBatch(batch));
        Assert.True(reader.EndOfLog);
    }

    [Fact]
    public void A_full_batch_stops_reading_and_the_next_call_continues()
    {
        var text = string.Concat(Enumerable.Range(0, 1000).Select(k => $"(1.{k:D6}) can0 {k % 0x800:X3}#{k & 0xFF:X2}\n"));
        using var reader = new CandumpLogReader(new MemoryStream(Encoding.ASCII.GetBytes(text)), "memory", _ => 0);
        var batch = new FrameBatch(300);
        var counts = new List<int>();
        int next = 0;
        while (true)
        {
            batch.Clear();
            int n = reader.ReadBatch(batch);
            if (n == 0) break;
            counts.Add(n);
            foreach (var f in batch.Frames)
            {
                Assert.Equal((uint)(next % 0x800), f.Id);
                Assert.Equal(1_000_000_000L + next * 1000L, f.TimestampNs);
                next++;
            }
        }
        Assert.Equal([300, 300, 300, 100], counts);
    }

    [Fact]
    public void Lines_are_found_across_buffer_refills_and_an_overlong_line_is_reported_once()
    {
        var sb = new StringBuilder();
        for (int k = 0; k < 5000; k++) sb.Append($"(2.{k:D6}) can0 {k % 0x800:X3}#0011223344556677\n"); // ~190 KB: several refills
        sb.Append("(3.000000) can0 123#").Append('A', 3 * CandumpLogReader.BufferSize).Append('\n');
        sb.Append("(4.000000) can0 456#99\n");
        var skipped = new List<CandumpSkippedLine>();
        using var reader = new CandumpLogReader(new MemoryStream(Encoding.ASCII.GetBytes(sb.ToString())), "big", _ => 0, skipped.Add);
        var batch = new FrameBatch(10_000);
        reader.ReadBatch(batch);
        Assert.Equal(5001, batch.Count);
        Assert.Equal(0x456u, batch.Frames[^1].Id);
        var bad = Assert.Single(skipped);
        Assert.Equal(5001, bad.LineNumber);
        Assert.Contains("line longer than", bad.Reason);
        Assert.Equal(5002, reader.LineNumber);
    }

    [Fact]
    public void A_resolver_that_throws_leaves_no_half_filled_slot()
    {
        using var reader = new CandumpLogReader(new MemoryStream("(1.000000) can9 123#11\n"u8.ToArray()), "m",
            name => throw new InvalidOperationException($"unknown interface {name}"));
        var batch = new FrameBatch(4);
        var ex = Assert.Throws<InvalidOperationException>(() => reader.ReadBatch(batch));
        Assert.Contains("can9", ex.Message);
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void Reading_good_lines_does_not_allocate_per_line()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(k => $"(1.{k % 1_000_000:D6}) can{k % 2} {k % 0x800:X3}##1{k & 0xFF:X2}112233\n"));
        var bytes = Encoding.ASCII.GetBytes(text);
        var batch = new FrameBatch(25_000);
        using (var warm = new CandumpLogReader(new MemoryStream(bytes), "warm", _ => 0)) warm.ReadBatch(batch);

        using var reader = new CandumpLogReader(new MemoryStream(bytes), "m", name => (ushort)name[^1]);
        batch.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        reader.ReadBatch(batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(20_000, batch.Count);
        // Two interface names, nothing per line: under one byte per line (a per-line object would be 24 bytes or more).
        Assert.True(allocated < 20_000, $"{allocated} bytes allocated for 20000 lines");
    }
}
