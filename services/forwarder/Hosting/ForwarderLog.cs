using Microsoft.Extensions.Logging;

namespace CanMesh.Forwarder.Hosting;

/// <summary>Every line the forwarder logs, with a stable EventId (1xx start/stop, 2xx PostgreSQL, 3xx capture, 4xx data, 5xx stats).</summary>
internal static partial class ForwarderLog
{
    [LoggerMessage(100, LogLevel.Information, "Forwarder {Subscriber}: capture {Socket} -> PostgreSQL {Postgres} (schema {Schema}); transactions of up to {MaxFrames} frames or {MaxDelayMs} ms.")]
    public static partial void Starting(ILogger logger, string subscriber, string socket, string postgres, string schema, int maxFrames, long maxDelayMs);

    [LoggerMessage(101, LogLevel.Information, "Forwarding capture {CaptureId} from seq {FromSeq}: PostgreSQL holds it through seq {SyncedSeq}; the capture has committed through seq {CommittedSeq}.")]
    public static partial void Resuming(ILogger logger, string captureId, ulong fromSeq, ulong syncedSeq, ulong committedSeq);

    [LoggerMessage(102, LogLevel.Information, "Stopped: {Frames} frames forwarded in {Commits} transactions this run; PostgreSQL holds capture {CaptureId} through seq {SyncedSeq}.")]
    public static partial void Stopped(ILogger logger, long frames, long commits, string captureId, ulong syncedSeq);

    [LoggerMessage(103, LogLevel.Warning, "The capture service now serves capture database {NewCaptureId} (was {OldCaptureId}): resuming from where PostgreSQL holds the new one.")]
    public static partial void CaptureChanged(ILogger logger, string newCaptureId, string oldCaptureId);

    [LoggerMessage(105, LogLevel.Information, "Stopped before PostgreSQL told where the capture stands: nothing was forwarded this run.")]
    public static partial void StoppedBeforePostgres(ILogger logger);

    [LoggerMessage(104, LogLevel.Critical, "{Message}")]
    public static partial void Fatal(ILogger logger, string message);

    [LoggerMessage(200, LogLevel.Information, "PostgreSQL schema {Schema} created (version {Version}).")]
    public static partial void SchemaCreated(ILogger logger, string schema, int version);

    [LoggerMessage(201, LogLevel.Information, "PostgreSQL schema {Schema} migrated from version {From} to {To}.")]
    public static partial void SchemaMigrated(ILogger logger, string schema, int from, int to);

    [LoggerMessage(202, LogLevel.Warning, "PostgreSQL {Postgres}: {State}: {Advice}. {Error}. Retrying with backoff (at most every {MaxDelayMs} ms); the capture keeps recording.")]
    public static partial void PostgresTrouble(ILogger logger, string postgres, string state, string advice, string error, long maxDelayMs);

    [LoggerMessage(203, LogLevel.Information, "PostgreSQL {Postgres} is back after {OutageSeconds:0.0} s and {Retries} retries: forwarding again.")]
    public static partial void PostgresBack(ILogger logger, string postgres, double outageSeconds, long retries);

    [LoggerMessage(300, LogLevel.Warning, "The capture service at {Socket} does not answer ({Error}); waiting for it (is canmesh-capture running with Api:SocketPath there?).")]
    public static partial void CaptureUnavailable(ILogger logger, string socket, string error);

    [LoggerMessage(301, LogLevel.Information, "The capture service at {Socket} answers: capture {CaptureId}, committed through seq {CommittedSeq}.")]
    public static partial void CaptureAvailable(ILogger logger, string socket, string captureId, ulong committedSeq);

    [LoggerMessage(400, LogLevel.Warning, "PostgreSQL refused {Rejected} frame(s) of capture {CaptureId} up to seq {ThroughSeq}; they are kept with the reason in {Schema}.rejected_frames.")]
    public static partial void FramesRejected(ILogger logger, long rejected, string captureId, ulong throughSeq, string schema);

    [LoggerMessage(401, LogLevel.Warning, "Capture {CaptureId} no longer had {Missing} frame(s) before seq {ThroughSeq} (deleted by its retention before they were forwarded); recorded in {Schema}.frame_gaps.")]
    public static partial void FramesMissing(ILogger logger, long missing, string captureId, ulong throughSeq, string schema);

    [LoggerMessage(500, LogLevel.Information, "Forwarder: sent {Sent} frames ({Rate:0} frames/s), pending {Pending} (committed {CommittedSeq} - acked {AckedSeq}), lag {LagSeconds:0.0} s, PostgreSQL {State}, retries {Retries}, last error: {LastError}.")]
    public static partial void Stats(ILogger logger, long sent, double rate, ulong pending, ulong committedSeq, ulong ackedSeq, double lagSeconds, string state, long retries, string lastError);
}
