using System.Text;
using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Core.Tests.Candump;

/// <summary>A real <c>candump -l</c> capture (tests/data/NOTICE.md): read completely, checked, written back identically.</summary>
public class SavvyCanLogTests
{
    private static readonly string LogPath = Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");

    private static async Task<(List<CanFrame> Frames, CandumpLogReader Reader, List<CandumpSkippedLine> Skipped)> ReadAll(int batchSize)
    {
        var skipped = new List<CandumpSkippedLine>();
        var reader = CandumpLogReader.OpenFile(LogPath, name => name == "vcan0" ? (ushort)3 : throw new InvalidOperationException(name), skipped.Add);
        var frames = new List<CanFrame>();
        var pool = new FrameBatchPool(batchSize, maxRetained: 2);
        while (true)
        {
            var batch = pool.Rent();
            int n = await reader.ReadBatchAsync(batch);
            foreach (var f in batch.Frames) frames.Add(f);
            pool.Return(batch);
            if (n == 0) break;
        }
        return (frames, reader, skipped);
    }

    [Fact]
    public async Task Parses_every_line_with_the_expected_totals()
    {
        var (frames, reader, skipped) = await ReadAll(batchSize: 1000);
        await reader.DisposeAsync();

        Assert.Empty(skipped);
        Assert.Equal(0, reader.MalformedLines);
        Assert.Equal(12974, reader.FramesRead);
        Assert.Equal(12974, reader.LineNumber);
        Assert.Equal(12974, frames.Count);
        Assert.Equal(180, frames.Select(f => f.Id).Distinct().Count());
        Assert.All(frames, f => Assert.Equal(3, f.InterfaceId));
        Assert.All(frames, f => Assert.Equal(CanFrameFlags.None, f.Flags));
        Assert.Equal(89281, frames.Sum(f => (long)f.Length));
        Assert.Equal(6090721, frames.Sum(f => f.ReadOnlyData.ToArray().Sum(b => (long)b)));
        Assert.Equal(7675013, frames.Sum(f => (long)f.Id));
        Assert.Equal(166_000_000_000L, frames[0].TimestampNs);
        Assert.Equal(174_000_000_000L, frames[^1].TimestampNs);
        Assert.Equal(0x21Au, frames[0].Id);
        Assert.Equal(Convert.FromHexString("FE3612FE690507AD"), frames[0].ReadOnlyData.ToArray());
    }

    [Fact]
    public async Task Writing_it_back_reproduces_the_file_byte_for_byte()
    {
        var (frames, reader, _) = await ReadAll(batchSize: 512);
        await reader.DisposeAsync();

        var output = new MemoryStream();
        await using (var writer = new CandumpLogWriter(output, id => id == 3 ? "vcan0" : throw new InvalidOperationException(), leaveOpen: true))
        {
            writer.Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frames));
        }
        byte[] original = await File.ReadAllBytesAsync(LogPath);
        Assert.Equal(original.Length, output.Length);
        Assert.True(original.AsSpan().SequenceEqual(output.ToArray()), "written log differs from the original");
        Assert.Equal(Encoding.ASCII.GetString(original), Encoding.ASCII.GetString(output.ToArray()));
    }
}
