using System.Buffers;

namespace CanMesh.Rpc;

/// <summary>
/// A response message that serializes itself straight into the transport's buffer, for high-rate
/// streams whose data already sits in arrays of structs (the capture's frames): encoding them through
/// generated message objects would allocate per element. The bytes must be a valid encoding of the
/// message type the client parses.
/// </summary>
public interface ISelfEncodingMessage
{
    /// <summary>The exact number of bytes <see cref="Encode"/> writes.</summary>
    int CalculateEncodedSize();

    void Encode(IBufferWriter<byte> writer);
}
