using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Capture.Tests.Infrastructure;

/// <summary>
/// A candump log of any length, written by the product's own <see cref="CandumpLogWriter"/> from frames that
/// are a pure function of their line number: classic 11- and 29-bit frames on can0 and can1, CAN FD frames,
/// remote frames, every payload length. Tests compare what the store holds with the totals computed here.
/// </summary>
internal sealed class GeneratedCandumpLog
{
    private static readonly byte[] FdLengths = [12, 16, 20, 24, 32, 48, 64];
    private const long FirstTimestampNs = 1_700_000_000_000_000_000;

    private GeneratedCandumpLog(string path, long lines, long idSum, long payloadBytes)
    {
        Path = path;
        Lines = lines;
        IdSum = idSum;
        PayloadBytes = payloadBytes;
    }

    public string Path { get; }
    public long Lines { get; }

    /// <summary>Sum of every frame's identifier (frames.can_id).</summary>
    public long IdSum { get; }

    /// <summary>Sum of every frame's stored payload length (length(frames.data)).</summary>
    public long PayloadBytes { get; }

    public static GeneratedCandumpLog Write(string path, long lines)
    {
        long idSum = 0, payloadBytes = 0;
        using (var writer = CandumpLogWriter.CreateFile(path, id => id == 0 ? "can0" : "can1"))
        {
            var frame = new CanFrame();
            for (long i = 0; i < lines; i++)
            {
                Make(i, ref frame);
                writer.Write(in frame);
                idSum += frame.Id;
                payloadBytes += frame.ReadOnlyData.Length;
            }
        }
        return new GeneratedCandumpLog(path, lines, idSum, payloadBytes);
    }

    /// <summary>Frame number <paramref name="i"/> of the log: 100 µs apart, alternating interfaces.</summary>
    public static void Make(long i, ref CanFrame frame)
    {
        frame = default;
        frame.TimestampNs = FirstTimestampNs + i * 100_000;
        frame.InterfaceId = (ushort)(i & 1);
        if (i % 5 == 0)
        {
            frame.Flags = CanFrameFlags.Extended;
            frame.Id = (uint)((i * 2_654_435_761) & CanFrame.MaxExtendedId);
        }
        else
        {
            frame.Id = (uint)(i * 7 % (CanFrame.MaxStandardId + 1));
        }
        if (i % 101 == 0)
        {
            frame.Flags |= CanFrameFlags.Remote;
            frame.Length = (byte)(i % 9);
            return;
        }
        if (i % 7 == 0)
        {
            frame.Flags |= CanFrameFlags.Fd | (i % 2 == 0 ? CanFrameFlags.BitRateSwitch : 0);
            frame.Length = FdLengths[i / 7 % FdLengths.Length];
        }
        else
        {
            frame.Length = (byte)(i % 9);
        }
        var data = frame.Data;
        for (var k = 0; k < data.Length; k++) data[k] = (byte)(i + k * 31);
    }
}
