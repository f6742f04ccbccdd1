using System.Net;

namespace CanMesh.Rpc.Client;

/// <summary>
/// A request body that stays open for the life of the call: SerializeToStreamAsync hands the HTTP/2
/// request stream to the writer and returns (sending END_STREAM) only when the writer completes.
/// This is what lets requests and responses flow at the same time.
/// </summary>
internal sealed class DuplexRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DuplexRequestContent()
    {
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(GrpcProtocol.ContentType);
    }

    /// <summary>The request stream, once HttpClient has started sending the body.</summary>
    public Task<Stream> StreamAsync => _stream.Task;

    public void Complete() => _completed.TrySetResult();

    public void Abort()
    {
        _stream.TrySetCanceled();
        _completed.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await _completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
