namespace CanMesh.Rpc;

/// <summary>Names and limits from the gRPC over HTTP/2 specification (PROTOCOL-HTTP2.md).</summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";

    /// <summary>Same default as every official gRPC implementation, so clients behave alike.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>"application/grpc", "application/grpc+proto" and "application/grpc; charset=..." are gRPC; "application/grpc-web" is not.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>The HTTP/2 :path of a method: "/package.Service/Method".</summary>
    public static string MethodPath(string serviceFullName, string methodName) => "/" + serviceFullName + "/" + methodName;
}
