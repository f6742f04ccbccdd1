using Google.Protobuf;
using Grpc.Core;

namespace CanMesh.Protos;

/// <summary>
/// gRPC marshallers for generated messages, for methods that are registered or called by hand (with a
/// custom marshaller on the other side): the same contextual serialization the generated stubs use,
/// straight into the transport's buffer writer and out of its payload sequence.
/// </summary>
public static class ProtobufMarshaller
{
    public static Marshaller<T> For<T>(MessageParser<T> parser)
        where T : class, IMessage<T>, IBufferMessage =>
        Marshallers.Create<T>(
            static (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
