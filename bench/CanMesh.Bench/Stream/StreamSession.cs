using CanMesh.Bench.Capture;

namespace CanMesh.Bench.Stream;

/// <summary>
/// The stream benchmark session: prepare the database, start canmesh-capture on it, then per batch size a
/// warm-up and R rounds of (a) server read+encode, (b) client decode, (c) the full path, interleaved so that
/// a neighbour's load falls on all three.
/// </summary>
internal sealed class StreamSession
{
    private readonly StreamOptions _options;
    private readonly TextWriter _out;

    public StreamSession(StreamOptions options, TextWriter output)
    {
        _options = options;
        _out = output;
    }

    public async Task<int> RunAsync()
    {
        Directory.CreateDirectory(_options.Directory);
        StreamReport.Header(_out, _options);
        var pool = FramePool.Generate(_options.PoolFrames, _options.ExtendedShare, _options.FdShare);
        var dbPath = Path.Combine(_options.Directory, $"stream-{Environment.ProcessId}.db");
        _out.WriteLine($"preparing {_options.Frames:N0} frames with JournalWriter ...");
        var db = StreamDatabase.Prepare(dbPath, pool, _options.Frames);
        _out.WriteLine($"database: {dbPath}, {db.FileBytes / 1e6:F1} MB, {db.Expected.PayloadBytes / (double)db.Frames:F2} payload bytes per frame, " +
                       $"prepared and checked in {db.PrepareSeconds:F1} s (checksum {db.Expected.Value:X16})");
        var all = new List<StreamRun>();
        try
        {
            using var encode = new ServerEncodeVariant(dbPath);
            var executable = _options.ServerExecutable ?? CaptureServerProcess.DefaultExecutable();
            using var server = await CaptureServerProcess.StartAsync(executable, _options.Directory, dbPath).ConfigureAwait(false);
            _out.WriteLine($"server: {executable} pid {server.ProcessId}, socket {server.SocketPath}, log {server.LogPath}");
            foreach (var batchFrames in _options.BatchFrames)
            {
                _out.WriteLine();
                _out.WriteLine($"max_batch_frames {batchFrames}:");
                // The server's exact message bytes for this batch size (protobuf size per frame, input of variant b).
                var messages = new List<byte[]>();
                var reference = encode.Run(_options.Frames, batchFrames, messages);
                _out.WriteLine($"  {reference.Batches:N0} messages, {reference.ProtobufBytes / (double)reference.Frames:F2} protobuf bytes per frame");

                for (var w = 0; w < _options.WarmupRuns; w++)
                {
                    if (_options.Variants)
                    {
                        encode.Run(_options.Frames, batchFrames);
                        ClientDecodeVariant.Run(messages, db, batchFrames);
                    }
                    var warm = await StreamClient.RunAsync(server, db, batchFrames, _options, $"bench-{Environment.ProcessId}-warmup", reference.ProtobufBytes).ConfigureAwait(false);
                    _out.WriteLine($"  warm-up full path: {warm.FramesPerSecond:N0} frames/s (not counted)");
                }

                StreamReport.RunHeader(_out);
                var runs = new List<StreamRun>();
                for (var round = 1; round <= _options.Runs; round++)
                {
                    if (_options.Variants)
                    {
                        var a = encode.Run(_options.Frames, batchFrames);
                        if (a.Frames != db.Frames || a.ProtobufBytes != reference.ProtobufBytes) throw new InvalidOperationException("Variant a read a different stream than its reference pass.");
                        runs.Add(a);
                        StreamReport.RunLine(_out, round, a);
                        var b = ClientDecodeVariant.Run(messages, db, batchFrames);
                        runs.Add(b);
                        StreamReport.RunLine(_out, round, b);
                    }
                    var c = await StreamClient.RunAsync(server, db, batchFrames, _options, $"bench-{Environment.ProcessId}-{batchFrames}-{round}", reference.ProtobufBytes).ConfigureAwait(false);
                    runs.Add(c);
                    StreamReport.RunLine(_out, round, c);
                }
                StreamReport.Summary(_out, runs, _options);
                all.AddRange(runs);
            }
            if (_options.BatchFrames.Count > 1) StreamReport.Table(_out, all);
            return 0;
        }
        finally
        {
            if (!_options.Keep) db.Delete();
        }
    }
}
