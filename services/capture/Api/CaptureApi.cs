using CanMesh.Capture.Api.Hosting;
using CanMesh.Capture.Hosting;
using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Stats;
using CanMesh.Protos.V1;
using CanMesh.Store.Subscribers;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Api;

/// <summary>
/// The canmesh.v1.Capture service: answers each method from the running pipeline and journal.
/// <see cref="CaptureMethodProvider"/> registers the methods with Grpc.AspNetCore.
/// </summary>
public sealed class CaptureApi
{
    public static readonly string ServiceName = Protos.V1.Capture.Descriptor.FullName;

    private readonly CaptureService _service;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _statsLock = new();
    private CaptureStatsCollector? _stats;

    public CaptureApi(CaptureService service, ILoggerFactory loggers, TimeProvider time)
    {
        _service = service;
        _logger = loggers.CreateLogger("CanMesh.Capture.Api");
        _time = time;
    }

    private CapturePipeline Pipeline => _service.Pipeline ?? throw ApiErrors.Starting();

    internal Task SubscribeAsync(IAsyncStreamReader<SubscribeRequest> requests, IServerStreamWriter<EncodedFrameBatch> responses, ServerCallContext context) =>
        new SubscriptionSession(Pipeline.Journal, _logger, _time).RunAsync(requests, responses, context);

    internal async Task QueryAsync(QueryRequest request, IServerStreamWriter<EncodedFrameBatch> responses, ServerCallContext context)
    {
        var journal = Pipeline.Journal;
        var batchFrames = request.MaxBatchFrames == 0 ? SubscriptionSession.DefaultBatchFrames : (int)request.MaxBatchFrames;
        if (batchFrames > SubscriptionSession.MaxBatchFrames)
        {
            throw ApiErrors.InvalidArgument($"max_batch_frames {request.MaxBatchFrames} is above the limit of {SubscriptionSession.MaxBatchFrames}.");
        }
        var matcher = FrameMatcher.Create(request.Filter, journal.Interfaces);
        var committed = journal.CommittedSeq;
        long fromNs = long.MinValue, toNs = long.MaxValue;
        List<(long First, long Last)> ranges;
        switch (request.RangeCase)
        {
            case QueryRequest.RangeOneofCase.Seqs:
                var last = request.Seqs.Last == 0 ? committed : (long)Math.Min(request.Seqs.Last, (ulong)committed);
                if (request.Seqs.Last != 0 && request.Seqs.First > request.Seqs.Last)
                {
                    throw ApiErrors.InvalidArgument($"seqs.first {request.Seqs.First} is above seqs.last {request.Seqs.Last}.");
                }
                ranges = [((long)Math.Max(1, request.Seqs.First), last)];
                break;
            case QueryRequest.RangeOneofCase.Time:
                fromNs = request.Time.FromNs;
                toNs = request.Time.ToNs == 0 ? long.MaxValue : request.Time.ToNs;
                if (fromNs > toNs) throw ApiErrors.InvalidArgument($"time.from_ns {fromNs} is after time.to_ns {toNs}.");
                using (var index = journal.OpenReader()) ranges = [.. index.SeqRangesForTime(fromNs, toNs)];
                break;
            default:
                throw ApiErrors.InvalidArgument("Give a range: `seqs` (seq range) or `time` (time range).");
        }

        await using var reader = new PrefetchingFrameReader(journal, batchFrames);
        var builder = new BatchBuilder(matcher, journal.Interfaces, batchFrames);
        var remaining = request.MaxFrames == 0 ? long.MaxValue : (long)Math.Min(request.MaxFrames, long.MaxValue);
        var first = true;
        foreach (var (rangeFirst, rangeLast) in ranges)
        {
            var next = Math.Max(rangeFirst, journal.FirstSeq);
            while (next <= rangeLast && remaining > 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var n = await reader.ReadAsync(next, rangeLast).ConfigureAwait(false);
                if (n == 0) break;
                remaining -= builder.Fill(reader.Frames(n), reader.Seqs(n), fromNs, toNs, remaining);
                next = reader.Seqs(n)[n - 1] + 1;
                if (remaining > 0) reader.Prefetch(next, rangeLast);
                var batch = builder.Batch;
                if (batch.Count == 0) continue;
                batch.CommittedSeq = committed;
                batch.ThroughSeq = next - 1;
                if (first) batch.CaptureId = journal.CaptureId.ToString("D");
                first = false;
                await responses.WriteAsync(batch, CallCancellation.ForWrites(context)).ConfigureAwait(false);
            }
        }
    }

    internal Task<Protos.V1.Stats> GetStatsAsync(GetStatsRequest request, ServerCallContext context)
    {
        var pipeline = Pipeline;
        lock (_statsLock)
        {
            _stats ??= new CaptureStatsCollector(pipeline, _time);
            return Task.FromResult(StatsMessages.ToMessage(_stats.Collect(), pipeline.Journal.Subscribers.Attached()));
        }
    }

    internal async Task WatchStatsAsync(WatchStatsRequest request, IServerStreamWriter<Protos.V1.Stats> responses, ServerCallContext context)
    {
        var interval = TimeSpan.FromMilliseconds(request.IntervalMs == 0 ? 1000 : request.IntervalMs);
        if (interval < TimeSpan.FromMilliseconds(100))
        {
            throw ApiErrors.InvalidArgument($"interval_ms {request.IntervalMs} is below the minimum of 100.");
        }
        var pipeline = Pipeline;
        var collector = new CaptureStatsCollector(pipeline, _time);
        using var timer = new PeriodicTimer(interval, _time);
        do
        {
            await responses.WriteAsync(StatsMessages.ToMessage(collector.Collect(), pipeline.Journal.Subscribers.Attached()), CallCancellation.ForWrites(context)).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Refuses a subscriber with a stream open rather than ending its stream: the typed client reconnects when
    /// its stream ends, and would come straight back as a new subscriber (resume: from the first stored frame),
    /// re-sending everything; only whoever runs that client can stop it for good. Answers once the removal is
    /// committed (normally within Capture:Commit:MaxDelay).
    /// </summary>
    internal Task<RemoveSubscriberResponse> RemoveSubscriberAsync(RemoveSubscriberRequest request, ServerCallContext context)
    {
        var journal = Pipeline.Journal;
        var name = request.Subscriber;
        SubscriberNames.ThrowIfInvalid(name, "subscriber");
        var removal = journal.Subscribers.Remove(name, NowNs(), waitDurable: true);
        switch (removal.Outcome)
        {
            case SubscriberRemovalOutcome.NotFound:
                throw ApiErrors.NotFound($"No subscriber named '{name}' is stored (GetStats lists them; one that does not retain is forgotten after Store:Subscribers:ForgetAfter without a stream).");
            case SubscriberRemovalOutcome.StreamOpen:
                throw ApiErrors.FailedPrecondition(
                    $"Subscriber '{name}' has a stream open; stop that client first (a client that reconnects would come back as a new subscriber), then remove it.");
        }
        var removed = removal.Watermark!;
        if (removed.Retains) CaptureApiLog.RetainingSubscriberRemoved(_logger, name, removed.AckedSeq, removal.PendingFrames);
        else CaptureApiLog.SubscriberRemoved(_logger, name, removed.AckedSeq);
        if (!removal.Durable)
        {
            CaptureApiLog.SubscriberRemovalNotCommitted(_logger, name);
            throw ApiErrors.Unavailable(
                $"Subscriber '{name}' is removed, but the store has not committed the removal yet (its writer is stuck or failing; see the health service). " +
                "It is written with the writer's next commit, and lost if the capture stops first.");
        }
        return Task.FromResult(new RemoveSubscriberResponse
        {
            AckedSeq = (ulong)Math.Max(0, removed.AckedSeq),
            Retained = removed.Retains,
            Pending = (ulong)removal.PendingFrames,
        });
    }

    private long NowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    internal Task<ListInterfacesResponse> ListInterfacesAsync(ListInterfacesRequest request, ServerCallContext context)
    {
        var pipeline = Pipeline;
        var response = new ListInterfacesResponse();
        CaptureStats stats;
        lock (_statsLock)
        {
            _stats ??= new CaptureStatsCollector(pipeline, _time);
            stats = _stats.Collect();
        }
        foreach (var source in stats.Sources)
        {
            var bitrates = InterfaceBitrates.Read(source.Kind == "socketcan" ? source.Name : null);
            response.Interfaces.Add(new InterfaceStatus
            {
                Name = source.Name,
                Kind = source.Kind,
                State = source.State.ToString().ToLowerInvariant(),
                StateDetail = source.StateDetail ?? "",
                Bitrate = bitrates.Bitrate,
                DataBitrate = bitrates.DataBitrate,
                Counters = StatsMessages.ToMessage(source),
            });
        }
        return Task.FromResult(response);
    }
}
