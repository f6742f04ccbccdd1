namespace CanMesh.Rpc.Client;

/// <summary>Per-call settings.</summary>
/// <param name="Timeout">Sent as grpc-timeout and enforced locally too: the call ends with DEADLINE_EXCEEDED. Null for none.</param>
/// <param name="CancellationToken">Cancels the call on both sides (RST_STREAM, the server handler's token fires).</param>
/// <param name="Headers">Extra request metadata (ASCII keys and values).</param>
public readonly record struct CallOptions(
    TimeSpan? Timeout = null,
    CancellationToken CancellationToken = default,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null);
