using System.Buffers;
using Grpc.Core;

namespace CanMesh.Client.Decoding;

/// <summary>
/// The bytes of one FrameBatch message, copied out of the transport's buffer into a pooled array
/// (the transport's buffer is only valid while its deserializer runs). The reader decodes it into its
/// own <see cref="DecodedFrameBatch"/> and disposes it, which returns the array.
/// </summary>
internal sealed class RawFrameBatch : IDisposable
{
    public static readonly Marshaller<RawFrameBatch> Marshaller = Marshallers.Create<RawFrameBatch>(
        static (_, _) => throw new NotSupportedException("FrameBatch travels from the capture service to the client only."),
        static context => new RawFrameBatch(context.PayloadAsReadOnlySequence()));

    private byte[]? _buffer;

    private RawFrameBatch(ReadOnlySequence<byte> payload)
    {
        Length = checked((int)payload.Length);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(Length, 1));
        payload.CopyTo(_buffer);
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(RawFrameBatch))).AsSpan(0, Length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
