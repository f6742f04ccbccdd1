using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace CanMesh.Rpc.Server;

/// <summary>Puts the final status where the protocol wants it.</summary>
internal static class CallStatusWriter
{
    private static readonly string[] StatusTexts = Enumerable.Range(0, 17).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Before any message: the Trailers-Only form (status in the one HEADERS frame, END_STREAM), which
    /// clients expect for calls that fail up front. After a message: real trailers.
    /// </summary>
    public static void Write(HttpResponse response, Status status, bool messageWritten)
    {
        string code = (int)status.Code is >= 0 and < 17 ? StatusTexts[(int)status.Code] : ((int)status.Code).ToString(CultureInfo.InvariantCulture);
        bool trailersOnly = !messageWritten && !response.HasStarted;
        if (trailersOnly)
        {
            response.Headers[GrpcProtocol.StatusHeader] = code;
            if (!string.IsNullOrEmpty(status.Detail))
            {
                response.Headers[GrpcProtocol.MessageHeader] = GrpcStatusMessage.Encode(status.Detail);
            }

            return;
        }

        response.AppendTrailer(GrpcProtocol.StatusHeader, code);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcStatusMessage.Encode(status.Detail));
        }
    }
}
