using CanMesh.Client;
using CanMesh.Frames;
using CanMesh.Protos.V1;
using Grpc.Core;

namespace CanMesh.Cli.Offline;

/// <summary>
/// Frames from a running capture through its Query RPC. The service filters by interface and id and by one range
/// (seqs, or time when a time bound is given); the other bound, if any, is checked here. Interface ids are the
/// capture database's, so an export through the socket equals one from the file.
/// </summary>
/// <remarks>
/// The API's Frame message has no field for CanFdFlagsExtra (an FD flags digit other than the canonical one read
/// from an imported log), so such frames come back with the canonical digit.
/// </remarks>
internal sealed class SocketSource : IExportSource
{
    private const int BlockFrames = 4096;

    private readonly CaptureClient _client;
    private readonly ExportSelection _selection;
    private readonly Dictionary<ushort, string> _names = [];

    public SocketSource(string socketPath, ExportSelection selection)
    {
        _client = new CaptureClient(socketPath, new CaptureClientOptions { CallTimeout = TimeSpan.FromSeconds(10) });
        _selection = selection;
    }

    public string InterfaceName(ushort id) => _names.TryGetValue(id, out var name) ? name : $"if{id}";

    public long? EstimatedFrames => null;

    public async Task<long> ForEachAsync(FrameSink sink, Action<long>? progress, CancellationToken cancellationToken)
    {
        var request = new QueryRequest { MaxBatchFrames = BlockFrames, Filter = new FrameFilter() };
        if (_selection.HasTimeBounds)
        {
            request.Time = new TimeRange
            {
                FromNs = _selection.FromNs == long.MinValue ? 0 : _selection.FromNs,
                // 0 means "now" to the service: a bound of exactly the epoch asks for 1 ns, and the check below drops the extra.
                ToNs = _selection.ToNs == long.MaxValue ? 0 : Math.Max(_selection.ToNs, 1),
            };
        }
        else
        {
            request.Seqs = new SeqRange { First = (ulong)_selection.FromSeq, Last = _selection.ToSeq == long.MaxValue ? 0 : (ulong)_selection.ToSeq };
        }
        request.Filter.Interfaces.AddRange(_selection.Interfaces);
        if (_selection.Ids is { } ids)
        {
            foreach (var (min, max) in ids.Ranges) request.Filter.IdRanges.Add(new IdRange { Min = min, Max = max });
        }

        var frames = new CanFrame[BlockFrames];
        var seqs = new long[BlockFrames];
        long passed = 0;
        if (!File.Exists(_client.SocketPath))
            throw new CliFailure($"No capture service socket at {_client.SocketPath}: is the capture running? Give --socket or CANMESH_SOCKET, or --db to read a file.");
        try
        {
            await foreach (var batch in _client.QueryAsync(request, cancellationToken).ConfigureAwait(false))
            {
                foreach (var name in batch.Interfaces) _names[(ushort)name.Id] = name.Name;
                var count = 0;
                foreach (var message in batch.Frames)
                {
                    if (count == frames.Length)
                    {
                        sink(frames.AsSpan(0, count), seqs.AsSpan(0, count));
                        passed += count;
                        count = 0;
                    }
                    ref var frame = ref frames[count];
                    ToFrame(message, ref frame);
                    // The seq bounds when the service filtered by time (and the time bound, harmlessly, again).
                    if (!_selection.Matches(in frame, (long)message.Seq, static _ => true)) continue;
                    seqs[count++] = (long)message.Seq;
                }
                if (count > 0) sink(frames.AsSpan(0, count), seqs.AsSpan(0, count));
                passed += count;
                progress?.Invoke(passed);
            }
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            throw new CliFailure($"Cannot reach a capture service at {_client.SocketPath}: {Innermost(e)}");
        }
        catch (RpcException e)
        {
            throw new CliFailure($"The capture service at {_client.SocketPath} refused the query: {e.Status.Detail}");
        }
        return passed;
    }

    /// <summary>The root cause (a socket error) rather than gRPC's chain of wrappers around it.</summary>
    private static string Innermost(RpcException e)
    {
        var inner = e.Status.DebugException;
        while (inner?.InnerException is not null) inner = inner.InnerException;
        return inner?.Message ?? e.Status.Detail;
    }

    private static void ToFrame(Protos.V1.Frame message, ref CanFrame frame)
    {
        frame = default;
        frame.TimestampNs = message.TimestampNs;
        frame.InterfaceId = (ushort)message.InterfaceId;
        frame.Id = message.CanId;
        frame.Flags = (CanFrameFlags)(byte)message.Flags;
        frame.Len8Dlc = (byte)message.Len8Dlc;
        if (frame.IsRemote)
        {
            frame.Length = (byte)Math.Min(message.Length, CanFrame.MaxFdLength);
        }
        else
        {
            var data = message.Data.Span;
            var length = Math.Min(data.Length, CanFrame.MaxFdLength);
            frame.Length = (byte)length;
            data[..length].CopyTo(frame.Payload);
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
