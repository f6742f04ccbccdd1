using CanMesh.Cli.Formats;

namespace CanMesh.Cli.Offline;

/// <summary>
/// Runs an export: a first pass when the format needs the export's interfaces and earliest time up front (ASC),
/// then the frames through the format's writer.
/// </summary>
internal static class Exporter
{
    /// <returns>Frames written.</returns>
    public static async Task<long> RunAsync(IExportSource source, FrameLogFormat format, Stream output, Action<long>? progress, CancellationToken cancellationToken)
    {
        var header = new ExportHeader(source.InterfaceName, [], 0);
        if (format.NeedsFirstPass)
        {
            var interfaces = new SortedSet<ushort>();
            var earliest = long.MaxValue;
            await source.ForEachAsync((frames, _) =>
            {
                foreach (ref readonly var frame in frames)
                {
                    interfaces.Add(frame.InterfaceId);
                    if (frame.TimestampNs < earliest) earliest = frame.TimestampNs;
                }
            }, null, cancellationToken).ConfigureAwait(false);
            header = header with { Interfaces = [.. interfaces], EarliestTimestampNs = earliest == long.MaxValue ? 0 : earliest };
        }
        using var writer = format.CreateWriter(output, header);
        var written = await source.ForEachAsync(writer.Write, progress, cancellationToken).ConfigureAwait(false);
        writer.Finish();
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return written;
    }
}
