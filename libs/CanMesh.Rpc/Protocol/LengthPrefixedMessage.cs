using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace CanMesh.Rpc;

/// <summary>
/// The gRPC message frame: 1 byte compressed flag, 4 bytes big-endian length, the protobuf bytes.
/// Writes go straight into a borrowed IBufferWriter (Kestrel's or a pipe's pooled memory) and reads
/// parse from the pipe's own segments, so neither side copies or allocates a buffer per message.
/// </summary>
public static class LengthPrefixedMessage
{
    public const int HeaderSize = 5;

    /// <summary>Frames and serializes <paramref name="message"/>; returns the bytes written.</summary>
    public static int Write(IBufferWriter<byte> writer, IMessage message, int maxMessageSize = int.MaxValue)
    {
        var self = message as ISelfEncodingMessage;
        int size = self?.CalculateEncodedSize() ?? message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum message size ({size} > {maxMessageSize} bytes).");
        }

        Span<byte> header = writer.GetSpan(HeaderSize);
        header[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header.Slice(1, 4), (uint)size);
        writer.Advance(HeaderSize);
        if (size > 0)
        {
            if (self is not null) self.Encode(writer);
            else message.WriteTo(writer);
        }

        return HeaderSize + size;
    }

    /// <summary>One framed message in its own array: for unary requests, sent once per call.</summary>
    public static byte[] ToArray(IMessage message)
    {
        int size = message.CalculateSize();
        var frame = new byte[HeaderSize + size];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)size);
        message.WriteTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    /// <summary>Slices one complete frame off the front of <paramref name="buffer"/>, if it holds one.</summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        if (header[0] != 0)
        {
            // We never advertise grpc-accept-encoding, so a conforming peer does not compress.
            throw new RpcException(StatusCode.Unimplemented, "Compressed messages are not supported: send identity-encoded messages.");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Received message exceeds the maximum message size ({length} > {maxMessageSize} bytes).");
        }

        if (buffer.Length - HeaderSize < length)
        {
            return false;
        }

        payload = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>
    /// Reads and parses the next message, or returns null at a clean end of stream.
    /// <paramref name="malformed"/> is the status for bytes that are not a message: INVALID_ARGUMENT
    /// when a server reads a request, INTERNAL when a client reads a response.
    /// </summary>
    public static async ValueTask<T?> ReadAsync<T>(PipeReader reader, MessageParser<T> parser, int maxMessageSize, StatusCode malformed, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            ReadOnlySequence<byte> payload;
            bool complete;
            try
            {
                complete = TryReadFrame(ref buffer, maxMessageSize, out payload);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start);
                throw;
            }

            if (complete)
            {
                try
                {
                    // Parse before AdvanceTo: the pipe recycles the segments afterwards.
                    return parser.ParseFrom(payload);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw new RpcException(new Status(malformed, $"Failed to deserialize {typeof(T).Name}: {e.Message}"), e);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }

            if (result.IsCompleted)
            {
                long leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (leftover > 0)
                {
                    throw new RpcException(malformed, $"Stream ended inside a message frame ({leftover} bytes of an incomplete {typeof(T).Name}).");
                }

                return null;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
