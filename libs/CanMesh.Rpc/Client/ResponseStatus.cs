using System.Net;
using System.Net.Http.Headers;

namespace CanMesh.Rpc.Client;

/// <summary>Reading a call's outcome from what HttpClient hands back.</summary>
internal static class ResponseStatus
{
    /// <summary>grpc-status and grpc-message from trailers, or from headers in the Trailers-Only form; null if absent.</summary>
    public static Status? Read(HttpHeaders headers)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out IEnumerable<string>? codes))
        {
            return null;
        }

        StatusCode code = int.TryParse(codes.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value)
            ? (StatusCode)value
            : StatusCode.Unknown;
        string detail = headers.TryGetValues(GrpcProtocol.MessageHeader, out IEnumerable<string>? messages)
            ? GrpcStatusMessage.Decode(messages.FirstOrDefault() ?? string.Empty)
            : string.Empty;
        return new Status(code, detail);
    }

    /// <summary>The mapping of the gRPC spec (doc/http-grpc-status-mapping.md) for responses that are not gRPC.</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    public static T? FindInner<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
