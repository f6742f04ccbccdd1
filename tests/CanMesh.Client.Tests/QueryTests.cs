using CanMesh.Client.Tests.Infrastructure;
using CanMesh.Protos.V1;

namespace CanMesh.Client.Tests;

/// <summary>Query returns exactly the stored frames of its range and filter: checked against the database read with Microsoft.Data.Sqlite.</summary>
[Collection(LiveCaptureCollection.Name)]
public sealed class QueryTests(LiveCapture capture)
{
    [Fact]
    public async Task A_seq_range_with_interface_and_id_filters_returns_exactly_the_matching_stored_frames()
    {
        await capture.WaitForCommittedAsync(30_000);
        var request = new QueryRequest
        {
            Seqs = new SeqRange { First = 5_001, Last = 25_000 },
            Filter = new FrameFilter
            {
                Interfaces = { "sim0", "sim1" },
                IdRanges = { new IdRange { Min = 0x120, Max = 0x17F }, new IdRange { Min = 0x780, Max = 0x7BF } },
            },
            MaxBatchFrames = 500,
        };

        var frames = await FrameRow.CollectAsync(capture.Client.QueryAsync(request));

        var expected = FrameRow.FromDatabase(capture.Folder,
            "f.seq BETWEEN 5001 AND 25000 AND i.name IN ('sim0', 'sim1') AND (f.can_id BETWEEN 288 AND 383 OR f.can_id BETWEEN 1920 AND 1983)");
        Assert.True(expected.Count > 1000, $"the range should hold many matching frames, has {expected.Count}");
        Assert.Contains(expected, f => (f.Flags & 8) != 0);   // FD frames
        Assert.Contains(expected, f => (f.Flags & 1) != 0);   // 29-bit ids
        Assert.Equal(expected, frames);
    }

    [Fact]
    public async Task A_time_range_with_filters_returns_exactly_the_frames_recorded_in_it()
    {
        // The replayed log keeps its recorded timestamps (166 s to about 190 s after the epoch).
        const long from = 170_000_000_000, to = 180_000_000_000;
        var request = new QueryRequest
        {
            Time = new TimeRange { FromNs = from, ToNs = to },
            Filter = new FrameFilter { Interfaces = { "vcan0" }, IdRanges = { new IdRange { Min = 0x200, Max = 0x27F } } },
        };

        var frames = await FrameRow.CollectAsync(capture.Client.QueryAsync(request));

        var expected = FrameRow.FromDatabase(capture.Folder,
            $"f.ts_ns BETWEEN {from} AND {to} AND i.name = 'vcan0' AND f.can_id BETWEEN 512 AND 639");
        Assert.True(expected.Count > 100, $"the time range should hold many matching frames, has {expected.Count}");
        Assert.True(FrameRow.FromDatabase(capture.Folder, $"f.ts_ns < {from} AND i.name = 'vcan0'").Count > 0, "frames before the range exist and must be left out");
        Assert.Equal(expected, frames);
    }

    [Fact]
    public async Task Max_frames_stops_a_query_after_that_many_frames_in_seq_order()
    {
        var request = new QueryRequest { Seqs = new SeqRange { First = 100 }, MaxFrames = 2_500, MaxBatchFrames = 1000 };

        var frames = await FrameRow.CollectAsync(capture.Client.QueryAsync(request));

        Assert.Equal(FrameRow.FromDatabase(capture.Folder, "f.seq BETWEEN 100 AND 2599"), frames);
    }
}
