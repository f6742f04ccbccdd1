using CanMesh.Candump;
using CanMesh.Frames;
using CanMesh.Store;

namespace CanMesh.Capture.Export;

/// <summary>
/// Writes stored frames as a candump log, in seq order, so can-utils and every tool that reads
/// candump logs can take a capture (canplayer, log2asc, SavvyCAN, python-can).
/// </summary>
public static class CandumpExport
{
    /// <returns>How many frames were written.</returns>
    public static long Write(FrameJournal journal, Stream output, long fromSeq, long toSeq, IProgress<long>? progress = null)
    {
        using var reader = journal.OpenReader();
        using var writer = new CandumpLogWriter(output, journal.Interfaces.NameOf, leaveOpen: true);
        var frames = new CanFrame[4096];
        var seqs = new long[4096];
        var next = Math.Max(fromSeq, journal.FirstSeq);
        long written = 0;
        while (true)
        {
            var n = reader.Read(next, toSeq, frames, seqs);
            if (n == 0) break;
            writer.Write(frames.AsSpan(0, n));
            written += n;
            progress?.Report(written);
            next = seqs[n - 1] + 1;
            if (n < frames.Length) break;
        }
        writer.Flush();
        return written;
    }
}
