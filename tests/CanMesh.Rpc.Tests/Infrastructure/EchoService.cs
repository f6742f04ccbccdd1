using System.Collections.Concurrent;
using CanMesh.Rpc.Server;
using CanMesh.Rpc.Tests.Echo;
using Google.Protobuf.WellKnownTypes;

namespace CanMesh.Rpc.Tests.Infrastructure;

/// <summary>The test service: behaves as each request asks, and reports when a call's token fired.</summary>
internal sealed class EchoService
{
    public const string ServiceName = "canmesh.test.v1.EchoService";

    public static readonly RpcMethod<EchoRequest, EchoReply> EchoMethod = new(MethodType.Unary, ServiceName, "Echo");
    public static readonly RpcMethod<CountRequest, EchoReply> CountMethod = new(MethodType.ServerStreaming, ServiceName, "Count");
    public static readonly RpcMethod<EchoRequest, EchoReply> ChatMethod = new(MethodType.DuplexStreaming, ServiceName, "Chat");
    public static readonly RpcMethod<EchoRequest, EchoReply> JoinMethod = new(MethodType.ClientStreaming, ServiceName, "Join");

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _cancelled = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new();

    public void Register(GrpcServiceRegistry registry)
    {
        registry.AddService(EchoReflection.Descriptor.Services[0]);
        registry.AddUnary(EchoMethod, EchoAsync);
        registry.AddServerStreaming(CountMethod, CountAsync);
        registry.AddDuplexStreaming(ChatMethod, ChatAsync);
        registry.AddClientStreaming(JoinMethod, JoinAsync);
    }

    /// <summary>Completes when the handler of the call tagged <paramref name="tag"/> saw its token fire.</summary>
    public Task WhenCancelled(string tag) => Signal(_cancelled, tag).Task;

    /// <summary>Completes when the handler of the call tagged <paramref name="tag"/> is waiting for cancellation.</summary>
    public Task WhenWaiting(string tag) => Signal(_waiting, tag).Task;

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> signals, string tag)
        => signals.GetOrAdd(tag, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task<EchoReply> EchoAsync(EchoRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            await WaitAsync(request.Tag, TimeSpan.FromMilliseconds(request.DelayMs), context.CancellationToken);
        }

        FailIfAsked(request);
        return new EchoReply { Text = request.Text, SentAt = Timestamp.FromDateTime(DateTime.UtcNow) };
    }

    private async Task CountAsync(CountRequest request, IServerStreamWriter<EchoReply> responses, ServerCallContext context)
    {
        for (int i = 0; i < request.Count; i++)
        {
            await responses.WriteAsync(new EchoReply { Text = $"{request.Tag}#{i}", Index = i });
        }

        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, request.FailMessage);
        }

        if (request.WaitForCancel)
        {
            await WaitAsync(request.Tag, Timeout.InfiniteTimeSpan, context.CancellationToken);
        }
    }

    private async Task ChatAsync(IAsyncStreamReader<EchoRequest> requests, IServerStreamWriter<EchoReply> responses, ServerCallContext context)
    {
        int index = 0;
        string tag = string.Empty;
        try
        {
            await foreach (EchoRequest request in requests.ReadAllAsync())
            {
                tag = request.Tag.Length > 0 ? request.Tag : tag;
                FailIfAsked(request);
                if (request.Text == "bye")
                {
                    return;
                }

                await responses.WriteAsync(new EchoReply { Text = "echo:" + request.Text, Index = index++ });
                if (tag.Length > 0)
                {
                    Signal(_waiting, tag).TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (tag.Length > 0)
        {
            Signal(_cancelled, tag).TrySetResult();
            throw;
        }
    }

    private async Task<EchoReply> JoinAsync(IAsyncStreamReader<EchoRequest> requests, ServerCallContext context)
    {
        var texts = new List<string>();
        while (await requests.ReadAsync() is { } request)
        {
            FailIfAsked(request);
            texts.Add(request.Text);
        }

        return new EchoReply { Text = string.Join(",", texts), Index = texts.Count };
    }

    private async Task WaitAsync(string tag, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (tag.Length > 0)
        {
            Signal(_waiting, tag).TrySetResult();
        }

        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException) when (tag.Length > 0)
        {
            Signal(_cancelled, tag).TrySetResult();
            throw;
        }
    }

    private static void FailIfAsked(EchoRequest request)
    {
        if (request.Crash)
        {
            throw new InvalidOperationException("secret internal detail that must not reach the client");
        }

        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, request.FailMessage);
        }
    }
}
